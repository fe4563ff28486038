"""Every form, as first shown and after a wrong submission: aria attributes only when they mean something,
every id they name on the page, every control labelled (what axe and the Nu checker flagged in issue 12)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.catalog.models import Mentor
from portal.extensions import limiter
from tests.helpers import csrf_token, form_key, login, make_user, submit_application, text
from tests.markup import form_problems, invalid_fields


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()


def check(response, errors: bool):
    html = text(response)
    assert form_problems(html) == []
    assert "None" not in html.replace("None of", "")
    if errors:
        assert response.status_code == 400
        assert invalid_fields(html), "a wrong answer marks its field aria-invalid"
    else:
        assert response.status_code == 200
        assert "aria-invalid" not in html
    return html


@pytest.mark.parametrize("path", ["/account/login", "/account/register", "/account/reset"])
@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_account_forms(client, path, lang):
    client.set_cookie("lang", lang)
    check(client.get(path), errors=False)
    token = csrf_token(client, path)
    check(client.post(path, data={"csrf_token": token, "phone": "12"}), errors=True)


def test_password_form(client, db):
    make_user(db, phone="13511110001")
    login(client, "13511110001", "good-pass-2026")
    check(client.get("/account/password"), errors=False)
    token = csrf_token(client, "/account/password")
    check(client.post("/account/password", data={"csrf_token": token, "current": "x"}), errors=True)


@pytest.mark.parametrize("app_type", ["training", "mentoring", "loan"])
def test_application_forms(client, db, app_type):
    make_user(db, phone="13511110002")
    login(client, "13511110002", "good-pass-2026")
    check(client.get(f"/apply/{app_type}?new=1"), errors=False)
    url = f"/apply/{app_type}?new=1"
    data = {"csrf_token": csrf_token(client, url), "form_key": form_key(client, url), "action": "submit"}
    html = check(client.post(f"/apply/{app_type}", data=data), errors=True)
    assert len(invalid_fields(html)) >= 3


def test_mentor_booking_and_visit_forms(app, client, db):
    slug = db.session.scalar(sa.select(Mentor.slug).where(Mentor.accepts_visits).order_by(Mentor.slug))
    make_user(db, role="mentor", phone="13511110003", mentor_slug=slug)
    login(client, "13511110003", "good-pass-2026")
    check(client.get("/mentor/visits"), errors=False)
    token = csrf_token(client, "/mentor/visits")
    day = (date.today() + timedelta(days=12)).isoformat()
    check(client.post("/mentor/visits", data={"csrf_token": token, "day": "x", "capacity": "0"}), errors=True)
    booked = client.post(
        "/mentor/visits",
        data={
            "csrf_token": token,
            "dest_kind": "township",
            "county": "411324",
            "township": "石佛寺镇",
            "day": day,
            "start": "09:00",
            "end": "11:00",
            "capacity": "5",
            "topics": ["ecommerce"],
        },
    )
    assert booked.status_code == 302
    from portal.visits.models import Visit

    visit_id = db.session.scalar(sa.select(Visit.id).order_by(Visit.id.desc()))
    check(client.get(f"/mentor/visits/{visit_id}"), errors=False)
    check(
        client.post(f"/mentor/visits/{visit_id}", data={"csrf_token": token, "action": "move", "day": "x"}),
        errors=True,
    )


def test_staff_item_page(app, client, db):
    applicant = make_user(db, phone="13511110004")
    make_user(db, role="staff", phone="13511110005", unit_code="411324-hrss")
    submit_application(app, db, applicant, "loan", county="411324")
    login(client, "13511110005", "good-pass-2026")
    from portal.queues.models import QueueItem

    item_id = db.session.scalar(sa.select(QueueItem.id).where(QueueItem.role == "lead").order_by(QueueItem.id.desc()))
    html = text(client.get(f"/staff/items/{item_id}"))
    assert form_problems(html) == []
    assert form_problems(text(client.get("/staff/queue"))) == []


@pytest.mark.parametrize("path", ["/", "/bases/", "/parks/", "/projects/", "/mentors/", "/units/", "/policies/"])
def test_list_pages_with_filters_and_search(client, path):
    assert form_problems(text(client.get(path))) == []
    assert form_problems(text(client.get("/search?q=贷款"))) == []


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_registry_forms(client, db, lang):
    client.set_cookie("lang", lang)
    make_user(db, phone="13511110005")
    login(client, "13511110005", "good-pass-2026")
    check(client.get("/registry/new"), errors=False)
    html = check(client.post("/registry/new", data={"csrf_token": csrf_token(client, "/registry/new")}), errors=True)
    assert len(invalid_fields(html)) >= 8


def test_registry_staff_forms(client, db):
    make_user(db, role="staff", phone="13511110006", unit_code="411324-hrss")
    login(client, "13511110006", "good-pass-2026")
    check(client.get("/staff/registrations/new"), errors=False)
    check(client.get("/staff/registrations/import"), errors=False)
    token = csrf_token(client, "/staff/registrations/new")
    html = check(client.post("/staff/registrations/new", data={"csrf_token": token, "jobs": "x"}), errors=True)
    assert len(invalid_fields(html)) >= 9


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_survey_forms(app, client, db, lang):
    """The office's survey and question forms, and an entrepreneur's answer page, first shown and after mistakes."""
    client.set_cookie("lang", lang)
    make_user(db, role="office", phone="13511110007", unit_code="city-office")
    login(client, "13511110007", "good-pass-2026")
    check(client.get("/staff/surveys/new"), errors=False)
    token = csrf_token(client, "/staff/surveys/new")
    html = check(client.post("/staff/surveys/new", data={"csrf_token": token, "opens_on": "x"}), errors=True)
    assert len(invalid_fields(html)) >= 4
    day = date.today().isoformat()
    values = dict(title="需求", purpose="了解需求", audience="all", anonymity="anonymous", opens_on=day, closes_on=day)
    created = client.post("/staff/surveys/new", data={"csrf_token": token, **values})
    survey_id = int(created.headers["Location"].rsplit("/", 1)[1])
    check(client.get(f"/staff/surveys/{survey_id}/questions/new"), errors=False)
    url = f"/staff/surveys/{survey_id}/questions/new"
    check(client.post(url, data={"csrf_token": token, "kind": "scale", "text": "x"}), errors=True)
    for kind, extra in (("single", {"options": "甲\n乙"}), ("scale", {"scale_low": "差", "scale_high": "好"})):
        client.post(url, data={"csrf_token": token, "kind": kind, "text": "问", "required": "y", **extra})
    assert form_problems(text(client.get(f"/staff/surveys/{survey_id}"))) == []
    client.post(f"/staff/surveys/{survey_id}/open", data={"csrf_token": token})
    client.post("/account/logout", data={"csrf_token": token})
    make_user(db, phone="13511110008")
    login(client, "13511110008", "good-pass-2026")
    check(client.get(f"/surveys/{survey_id}"), errors=False)
    answer_token = csrf_token(client, f"/surveys/{survey_id}")
    html = check(client.post(f"/surveys/{survey_id}", data={"csrf_token": answer_token}), errors=True)
    assert len(invalid_fields(html)) >= 2


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_venture_and_story_forms(client, db, lang):
    client.set_cookie("lang", lang)
    make_user(db, phone="13511110015")
    login(client, "13511110015", "good-pass-2026")
    check(client.get("/my/ventures/new"), errors=False)
    token = csrf_token(client, "/my/ventures/new")
    html = check(client.post("/my/ventures/new", data={"csrf_token": token, "jobs_created": "-1"}), errors=True)
    assert len(invalid_fields(html)) >= 6
    editor = client.application.test_client()
    editor.set_cookie("lang", lang)
    make_user(db, role="editor", phone="13511110017")
    login(editor, "13511110017", "good-pass-2026")
    check(editor.get("/editorial/stories/new"), errors=False)
    token = csrf_token(editor, "/editorial/stories/new")
    html = check(editor.post("/editorial/stories/new", data={"csrf_token": token}), errors=True)
    assert len(invalid_fields(html)) >= 4
