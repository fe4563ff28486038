"""Helpers for tests that act as a person would: fetch the page, read the CSRF token, post the form."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from stdnum.cn import ric, uscc

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def id_number(prefix: str = "41132419960612", seq: str = "123") -> str:
    body = prefix + seq
    return body + ric.calc_check_digit(body + "0")  # stdnum computes over the first 17 of 18 characters


def bad_check_digit(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


def uscc_number(base: str = "91411300MA3X5B7Q1") -> str:
    return base + uscc.calc_check_digit(base)


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'type="hidden" name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def form_key(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'id="form_key" name="form_key" type="hidden" value="([^"]*)"', html)
    assert match, "the form carries its key"
    return match.group(1)


def login(client, phone: str, password: str):
    token = csrf_token(client, "/account/login")
    return client.post("/account/login", data={"csrf_token": token, "phone": phone, "password": password})


def make_user(db, role: str = "applicant", phone: str = "13912340001", password: str = "good-pass-2026", **kw):
    from portal.accounts import services

    user = services.create_user(role, phone, kw.pop("name", "测试用户"), password, **kw)
    db.session.commit()
    return user


def upload(data: bytes, name: str):
    return (io.BytesIO(data), name)


def latest_sms(db, phone: str | None = None):
    from portal.notify.models import OutboxMessage

    rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).all()
    for row in rows:
        if phone is None or row.recipient == phone:
            return row
    return None


def text(response) -> str:
    return response.get_data(as_text=True)


def submit_application(app, db, user, app_type: str, county: str = "411324", **answers):
    """Submit through the real service (validation, tracking number, routing), as the form would."""
    from werkzeug.datastructures import FileStorage, MultiDict

    from portal.applications import operations, queries

    base = {
        "applicant_name": user.name,
        "id_number": answers.pop("id_number", id_number()),
        "phone": user.phone,
        "county": county,
        "township": "城关镇",
        "consent": "y",
    }
    per_type = {
        "training": {
            "course_type": "skills",
            "preferred_county": county,
            "education": "senior",
            "business": "开一家农家乐",
            "years_away": "5",
        },
        "mentoring": {
            "topic": "agriculture",
            "stage": "preparing",
            "problem": "想养殖肉牛，不知道从哪里开始做起。",
            "preferred_way": "visit",
        },
        "loan": {
            "applicant_type": "individual",
            "group": "returning_migrant",
            "amount_wan": "20",
            "term_months": "24",
            "purpose": "购买设备",
            "collateral": "none",
            "statement_group": "y",
            "statement_no_other_loans": "y",
            "statement_truthful": "y",
            "statement_credit_check": "y",
        },
    }
    data = {**base, **per_type[app_type], **answers}
    old = app.config.get("WTF_CSRF_ENABLED", True)
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        with app.test_request_context(method="POST"):
            form = queries.build_form(app_type, user, formdata=MultiDict(data))
            files = {}
            if data.get("collateral", "none") != "none":
                files["collateral_proof"] = FileStorage(io.BytesIO(PDF), filename="proof.pdf")
            outcome = operations.save(user, app_type, form, files, submit=True)
            assert outcome.submitted, outcome.errors
            db.session.commit()
            return outcome.application.id
    finally:
        app.config["WTF_CSRF_ENABLED"] = old


# Answers of an individual guarantee-loan application that pass every check (tests add the personal ones).
LOAN_ANSWERS = dict(
    group="returning_migrant",
    term_months="24",
    purpose="购买玉雕设备",
    collateral="none",
    statement_group="y",
    statement_no_other_loans="y",
    statement_truthful="y",
    statement_credit_check="y",
)


def client_for(app, phone: str, lang: str | None = None, password: str = "good-pass-2026"):
    """A test client logged in as the account with this phone (in English when lang="en")."""
    client = app.test_client()
    if lang:
        client.set_cookie("lang", lang)
    login(client, phone, password)
    return client


def visit_input(capacity: int = 2, **changes):
    """A 乡村行 booking in 镇平县 石佛寺镇 ten days from now, 09:00–11:00."""
    from datetime import date, time, timedelta

    from portal.visits.booking import VisitInput

    values = dict(
        dest_kind="township",
        county="411324",
        township="石佛寺镇",
        day=date.today() + timedelta(days=10),
        start=time(9),
        end=time(11),
        topics=["ecommerce"],
        capacity=capacity,
    )
    return VisitInput(**{**values, **changes})


def register_data(token: str, phone: str, code: str, name: str = "张返乡", password: str = "spring-field-9") -> dict:
    """The registration form as a person fills it in, after the SMS code arrived."""
    return {
        "csrf_token": token,
        "phone": phone,
        "code": code,
        "name": name,
        "password": password,
        "password2": password,
        "consent": "y",
        "action": "register",
    }


def race(app, work, n: int = 2) -> list[str]:
    """Run `work(i)` in n threads at once (a barrier), each in its own request context and committing transaction:
    the results, or "refused: …" for those that raised (the concurrency tests of visits and events)."""
    import threading

    from portal.db import writing
    from portal.extensions import db

    barrier = threading.Barrier(n)
    results: list[str] = []

    def run(i):
        with app.test_request_context(), writing():
            barrier.wait(timeout=30)
            try:
                results.append(work(i))
                db.session.commit()
            except Exception as exc:  # reported through the results
                db.session.rollback()
                results.append(f"refused: {getattr(exc, 'message', repr(exc))}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


class Statements:
    """The SQL statements a block sends (`with Statements(app) as sql: …; len(sql.seen)`), savepoints left out."""

    def __init__(self, app) -> None:
        with app.app_context():
            from portal.extensions import db

            self.engine = db.engine
        self.seen: list[str] = []

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.seen.append(statement)

    def __enter__(self) -> Statements:
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._record)
