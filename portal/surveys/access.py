"""Who may see and do what with needs surveys (需求调查).

- `survey.create`: staff of a unit and the leading group's office draft surveys.
- `survey.manage`: the owner unit's staff and the office edit, open, close and read a survey; administrators and
  anyone else: 404.
- `survey.results`: whoever manages it (the results are theirs to report; administrators keep accounts, not
  surveys).
- `survey.see`: a member of the survey's audience sees an open or closed survey (a closed one says so);
  `survey.answer`: the same member, while the survey is open and today is within its dates.
  Anyone else: 404, as if the survey did not exist (a draft is never seen by its audience).
"""

from __future__ import annotations

from portal.core.access import rule
from portal.surveys import audiences
from portal.surveys.states import CLOSED, OPEN


def _role(user, *roles: str) -> bool:
    return user is not None and getattr(user, "role", None) in roles


@rule("survey.create")
def _create(user, _obj=None) -> bool:
    return _role(user, "office") or (_role(user, "staff") and user.unit_id is not None)


@rule("survey.manage")
def _manage(user, survey) -> bool:
    if survey is None:
        return False
    if _role(user, "office"):
        return True
    return _role(user, "staff") and survey.owner_unit_id is not None and survey.owner_unit_id == user.unit_id


@rule("survey.results")
def _results(user, survey) -> bool:
    return _manage(user, survey)


@rule("survey.see")
def _see(user, survey) -> bool:
    if survey is None or survey.status not in (OPEN, CLOSED) or not _role(user, "applicant"):
        return False
    return audiences.is_member(user, survey.audience, survey.audience_param)


@rule("survey.answer")
def _answer(user, survey) -> bool:
    from portal.surveys.queries import accepting

    return survey is not None and accepting(survey) and _see(user, survey)
