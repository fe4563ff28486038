"""Who may see and do what with presented projects (项目展示).

- Anyone sees a published project (`venture.view`); an unpublished one only its owner and the staff of its
  responsible unit (the county's 人社局) — the office and administrators read every one. Anyone else: 404.
- Applicants present projects (`venture.present`); the owner edits, submits and withdraws theirs (`venture.own`).
- Staff of the responsible unit approve, return or take down a project (`venture.review`).
- Staff of any unit shortlist published projects for a 路演 or 对接会 (`venture.shortlist`, their unit's lists);
  staff of the units the work plan makes responsible for the fund (人社局, 财政局, 人行) recommend published projects
  to it and record its answer (`venture.recommend`). The office and administrators read the lists and exports
  (`venture.staff`).
"""

from __future__ import annotations

from portal.core.access import rule
from portal.ventures.states import PUBLISHED, SUBMITTED
from portal.ventures.vocab import RECOMMENDING_DEPTS

READ_ONLY_ROLES = ("office", "admin")


def _role(user, *roles: str) -> bool:
    return user is not None and user.role in roles


@rule("venture.present")
def _present(user, _obj=None) -> bool:
    return _role(user, "applicant")


@rule("venture.own")
def _own(user, venture) -> bool:
    return venture is not None and _role(user, "applicant") and venture.owner_id == user.id


def _of_unit(user, venture) -> bool:
    return venture is not None and _role(user, "staff") and venture.unit_id == user.unit_id


@rule("venture.view")
def _view(user, venture) -> bool:
    if venture is None:
        return False
    if venture.status == PUBLISHED:
        return True
    return _own(user, venture) or _of_unit(user, venture) or _role(user, *READ_ONLY_ROLES)


@rule("venture.staff")
def _staff(user, _obj=None) -> bool:
    """The staff pages (review list, shortlists, recommendations, export): staff act, office and admins read."""
    return _role(user, "staff", *READ_ONLY_ROLES)


@rule("venture.review")
def _review(user, venture) -> bool:
    """Approve or return a submitted project, take down a published one: the responsible unit's staff."""
    return _of_unit(user, venture) and venture.status in (SUBMITTED, PUBLISHED)


@rule("venture.shortlist")
def _shortlist(user, obj=None) -> bool:
    """Staff with a unit; for a shortlist, only its own unit's; for a project, only a published one."""
    if not (_role(user, "staff") and user.unit_id is not None):
        return False
    if obj is None:
        return True
    if hasattr(obj, "entries"):  # a Shortlist
        return obj.unit_id == user.unit_id
    return obj.status == PUBLISHED


@rule("venture.shortlist_view")
def _shortlist_view(user, shortlist) -> bool:
    if shortlist is None:
        return False
    return _role(user, *READ_ONLY_ROLES) or (_role(user, "staff") and shortlist.unit_id == user.unit_id)


@rule("venture.recommend")
def _recommend(user, obj=None) -> bool:
    """Recommend to the fund (a published project) or record the fund's answer (the recommending unit's own)."""
    if not (_role(user, "staff") and user.unit is not None and user.unit.dept in RECOMMENDING_DEPTS):
        return False
    if obj is None:
        return True
    if hasattr(obj, "fund"):  # a Recommendation
        return obj.unit_id == user.unit_id
    return obj.status == PUBLISHED
