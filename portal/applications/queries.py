"""Reading applications for pages, receipts and exports: the applicant's own, the forms filled from them."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from portal.accounts.models import User
from portal.applications import rules, states
from portal.applications.forms import FORMS, add_loan_extras
from portal.applications.models import Application, Attachment
from portal.catalog.models import Mentor
from portal.catalog.services import all_counties
from portal.core import clock
from portal.core.access import require
from portal.errors import NotFound
from portal.extensions import db


def for_applicant(user: User, tracking_no: str) -> Application:
    """The applicant's own application; anyone else's answers 404, as if it did not exist."""
    application = db.session.scalar(sa.select(Application).where(Application.tracking_no == tracking_no))
    return require(user, "application.own", application)


def list_for_applicant(user: User) -> list[Application]:
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.applicant_id == user.id)
            .order_by(Application.updated_at.desc(), Application.id.desc())
        )
    )


def _drafts(user: User, app_type: str) -> sa.Select:
    return sa.select(Application).where(
        Application.applicant_id == user.id, Application.type == app_type, Application.state == states.DRAFT
    )


def latest_draft(user: User, app_type: str) -> Application | None:
    return db.session.scalar(_drafts(user, app_type).order_by(Application.updated_at.desc()).limit(1))


def own_draft(user: User, app_type: str, draft_id: int | None) -> Application | None:
    """One of the user's drafts of this type (another's, or one already submitted: None)."""
    if draft_id is None:
        return None
    return db.session.scalar(_drafts(user, app_type).where(Application.id == draft_id))


def open_loans_of_person(id_hash: str | None, exclude_id: int | None = None) -> list[Application]:
    """Loan applications in progress for one 身份证号 (by its keyed hash), oldest first."""
    if not id_hash:
        return []
    stmt = sa.select(Application).where(
        Application.type == "loan", Application.id_hash == id_hash, Application.state.in_(states.OPEN_STATES)
    )
    if exclude_id is not None:
        stmt = stmt.where(Application.id != exclude_id)
    return list(db.session.scalars(stmt.order_by(Application.submitted_at, Application.id)))


def attachment_for_applicant(user: User, tracking_no: str, attachment_id: int) -> Attachment:
    application = for_applicant(user, tracking_no)
    return attachment_of(application, attachment_id)


def attachment_of(application: Application, attachment_id: int) -> Attachment:
    for attachment in application.attachments:
        if attachment.id == attachment_id:
            return attachment
    raise NotFound()


def form_class(app_type: str) -> type:
    if app_type not in FORMS:
        raise NotFound()
    if app_type == "loan":
        return add_loan_extras(FORMS["loan"], rules.loan_rules())
    return FORMS[app_type]


def build_form(app_type: str, user: User, application: Application | None = None, formdata=None):
    """The form for a type, with choices from the database, filled from the draft or the account."""
    cls = form_class(app_type)
    if formdata is None and application is not None:
        saved = MultiDict()
        for key, value in {**(application.answers or {}), **(application.private or {})}.items():
            for item in value if isinstance(value, list) else [value]:
                saved.add(key, item)
        form = cls(formdata=saved)
        for f in form:
            if f.type == "BooleanField" and not f.data:
                f.raw_data = []  # rendered with value="y" again: a box unticked in the draft must send "y" when ticked
    elif formdata is None:
        form = cls(formdata=None, data={"applicant_name": user.name, "phone": user.phone})
    else:
        form = cls(formdata=formdata)
    form.form_key.data = application.form_key if application else (form.form_key.data or uuid.uuid4().hex)
    form.set_county_choices(all_counties())
    if app_type == "mentoring":
        # Published mentors only, and the one this application already names (a mentor unpublished after it was
        # chosen stays readable on the saved application and does not make the draft unsendable).
        chosen = (application.answers or {}).get("preferred_mentor") if application is not None else None
        shown = sa.or_(Mentor.visible, Mentor.slug == chosen) if chosen else Mentor.visible
        form.set_mentor_choices(db.session.scalars(sa.select(Mentor).where(shown)).all())  # the form orders them
    if app_type == "loan":
        form.set_rule_choices(rules.loan_rules())
    return form


HIDDEN_ON_RECEIPT = {
    "csrf_token",
    "form_key",
    "consent",
    "applicant_name",
    "id_number",
    "phone",
    "county",
    "township",
    "uscc",
}


def answer_rows(form) -> list[tuple[str, str]]:
    """(question, answer) pairs as the applicant gave them, for the receipt and the staff screens.

    Personal numbers are left out; they are shown masked elsewhere.
    """
    rows = []
    for f in form:
        if f.name in HIDDEN_ON_RECEIPT or f.name in form.attachment_fields or f.name.startswith("statement_"):
            continue
        if re.fullmatch(r"co\d+_id", f.name):
            continue
        value = f.data
        if f.type == "SelectField":
            value = next((str(c.label) for c in f.choices if c.value == f.data), f.data)
        if value in (None, ""):
            continue
        rows.append((str(f.label.text), str(value)))
    return rows


def promise_overdue(application) -> bool:
    """Past the promised date (Asia/Shanghai), still open, and the clock not paused for 补正."""
    today = clock.today()
    return bool(
        application.promised_date
        and not application.clock_paused
        and application.state in states.OPEN_STATES
        and application.promised_date < today
    )


def remembered_id_number(user: User) -> str | None:
    """The 身份证号 of the applicant's newest submitted application, so that it need not be typed again."""
    application = db.session.scalar(
        sa.select(Application)
        .where(Application.applicant_id == user.id, Application.submitted_at.is_not(None))
        .order_by(Application.submitted_at.desc(), Application.id.desc())
        .limit(1)
    )
    return application.id_number if application is not None else None


def with_remembered_id_number(user: User, formdata):
    """The posted form, with the remembered 身份证号 where the applicant left the field empty."""
    remembered = remembered_id_number(user)
    if not remembered or (formdata.get("id_number") or "").strip():
        return formdata
    filled = MultiDict(formdata)
    filled["id_number"] = remembered
    return filled


def applicant_ids(app_type: str | None = None, county_code: str | None = None) -> sa.Select:
    """The accounts that submitted an application (drafts do not count), of a type and/or in a county: an SQL
    select of user ids, for audiences that other areas address (a needs survey's "applicants of a type")."""
    stmt = sa.select(Application.applicant_id).where(Application.submitted_at.is_not(None))
    if app_type is not None:
        stmt = stmt.where(Application.type == app_type)
    if county_code is not None:
        from portal.catalog.models import County

        stmt = stmt.join(County, County.id == Application.county_id).where(County.code == county_code)
    return stmt
