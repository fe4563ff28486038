"""Who may see and do what with registrations (返乡创业登记).

- The person sees and answers their own records (`registration.own`); applicants register (`registration.register`).
- Staff of the handling unit (the county 人社局, the city's for a county without one) see, confirm, ask for proof
  or reject its records (`registration.handle`), register on someone's behalf and import their county's return
  (`registration.enter`). The office and administrators read every record; they act on none.
- Anything else answers 404.
"""

from __future__ import annotations

from portal.core.access import rule

READ_ONLY_ROLES = ("office", "admin")


def _role(user, *roles: str) -> bool:
    return user is not None and user.role in roles


@rule("registration.register")
def _register(user, _obj=None) -> bool:
    return _role(user, "applicant")


@rule("registration.own")
def _own(user, registration) -> bool:
    return _role(user, "applicant") and registration is not None and registration.owner_id == user.id


@rule("registration.queue")
def _queue(user, _obj=None) -> bool:
    """The staff's list of registrations: staff (their unit's) and, read-only, the office and administrators."""
    return _role(user, "staff", *READ_ONLY_ROLES)


@rule("registration.enter")
def _enter(user, _obj=None) -> bool:
    """帮办 and spreadsheet imports: staff only (the records go to their own unit)."""
    return _role(user, "staff") and user.unit_id is not None


@rule("registration.view")
def _view(user, registration) -> bool:
    if registration is None or user is None:
        return False
    if _role(user, *READ_ONLY_ROLES):
        return True
    return _handle(user, registration) or _own(user, registration)


@rule("registration.handle")
def _handle(user, registration) -> bool:
    """Confirm, ask for proof, reject; enter the person's consent code: staff of the record's unit."""
    return _role(user, "staff") and registration is not None and registration.unit_id == user.unit_id
