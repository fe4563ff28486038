"""Issue 17's done-when, as one walk: a unit publishes a 投资对接会; entrepreneurs register and are checked in at the
door; a project is presented, approved, shortlisted for that very event and recommended to the fund with its XLSX;
a success story is published with the person's consent; a survey to the event's attendees is answered and the
office reads its results."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from openpyxl import load_workbook

from portal.events.models import EventRegistration
from portal.extensions import limiter
from tests.helpers import client_for, csrf_token, make_user, text
from tests.test_events import post, published, started
from tests.test_stories import move, record_consent, write_story
from tests.test_surveys import add_question, create_survey
from tests.test_ventures import present, review

ZP, OFFICE = "13411110002", "13411110007"
ENTREPRENEURS = ["13411110001", "13711110021", "13711110022"]


def test_a_matchmaking_event_a_project_for_the_fund_a_story_and_a_survey(app, db, people):
    limiter.reset()
    for phone in ENTREPRENEURS[1:]:
        make_user(db, phone=phone, name=f"返乡{phone[-2:]}")
    staff, office = client_for(app, ZP), client_for(app, OFFICE)

    # 镇平县人社局 publishes an investment matchmaking meeting; three entrepreneurs register.
    event_id = published(app, db, phone=ZP, capacity=30, title="镇平县返乡创业项目投资对接会")
    for phone in ENTREPRENEURS:
        assert post(client_for(app, phone), f"/events/{event_id}/register", f"/events/{event_id}").status_code == 302
    assert "镇平县返乡创业项目投资对接会" in text(app.test_client().get("/events/"))

    # A project is presented, approved by the county, shortlisted for that event and recommended to the fund.
    owner = client_for(app, ENTREPRENEURS[0])
    venture_id = present(owner)
    assert app.test_client().get(f"/ventures/{venture_id}").status_code == 404  # not before a person approved it
    review(staff, venture_id, "approve")
    assert "石佛寺玉雕文创小件加工坊" in text(app.test_client().get(f"/ventures/{venture_id}"))
    form = text(staff.get("/staff/ventures/shortlists"))
    assert f'<option value="{event_id}">镇平县返乡创业项目投资对接会' in form
    made = staff.post("/staff/ventures/shortlists", data={
        "csrf_token": csrf_token(staff, "/staff/ventures/shortlists"), "name": "对接会推介项目",
        "purpose": "matchmaking", "event": str(event_id), "event_label": "", "event_on": "", "note": ""})  # fmt: skip
    assert made.status_code == 302, text(made)
    shortlist_path = made.headers["Location"]
    token = csrf_token(staff, f"/staff/ventures/{venture_id}")
    shortlist_id = shortlist_path.rstrip("/").rsplit("/", 1)[1]
    staff.post(f"/staff/ventures/{venture_id}/shortlist", data={"csrf_token": token, "shortlist": shortlist_id})
    page = text(staff.get(shortlist_path))
    assert f'href="/events/{event_id}"' in page and "石佛寺玉雕文创小件加工坊" in page
    recommended = staff.post(f"/staff/ventures/{venture_id}/recommend", data={
        "csrf_token": token, "fund": "henan-returnee-fund", "recommended_on": "2021-06-01",
        "note": "对接会上反响好"})  # fmt: skip
    assert recommended.status_code == 302
    book = load_workbook(io.BytesIO(staff.get("/staff/ventures/recommendations.xlsx").data))
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    assert any("石佛寺玉雕文创小件加工坊" in (row or []) for row in rows)

    # The day comes: two of the three are checked in at the door.
    started(db, event_id)
    door = f"/staff/events/{event_id}/door"
    for phone in ENTREPRENEURS[:2]:
        registration = db.session.scalar(
            sa.select(EventRegistration)
            .where(EventRegistration.event_id == event_id)
            .order_by(EventRegistration.id)
            .offset(ENTREPRENEURS.index(phone))
        )
        assert post(staff, f"{door}/{registration.id}", door).status_code == 302
    assert "已签到 2 / 3 人" in text(staff.get(door))

    # A success story, published by a second editor with the person's recorded consent, is on the home page.
    make_user(db, role="editor", phone="13611110011", name="编辑甲")
    make_user(db, role="editor", phone="13611110012", name="编辑乙")
    first, second = client_for(app, "13611110011"), client_for(app, "13611110012")
    story_id = write_story(first)
    record_consent(first, story_id)
    move(first, story_id, "submit")
    assert move(second, story_id, "publish").status_code == 302
    assert "从深圳工厂回到石佛寺的玉雕工作室" in text(app.test_client().get("/"))

    # The office asks the attendees what they need next, and reads the results.
    survey_id = create_survey(office, audience=f"event:{event_id}", title="对接会之后还需要什么")
    add_question(office, survey_id, kind="single", text="最需要哪种支持？", options="资金\n场地\n销路")
    opened = office.post(f"/staff/surveys/{survey_id}/open",
                         data={"csrf_token": csrf_token(office, f"/staff/surveys/{survey_id}")})  # fmt: skip
    assert opened.status_code == 302
    attendee = client_for(app, ENTREPRENEURS[0])
    question = re.search(r'name="(q\d+)"', text(attendee.get(f"/surveys/{survey_id}")))
    answered = attendee.post(f"/surveys/{survey_id}", data={
        "csrf_token": csrf_token(attendee, f"/surveys/{survey_id}"), question.group(1): "1"})  # fmt: skip
    assert answered.status_code == 302
    assert client_for(app, ENTREPRENEURS[2]).get(f"/surveys/{survey_id}").status_code == 404  # registered, not there
    results = text(office.get(f"/staff/surveys/{survey_id}/results"))
    assert "共收到 1 份回答" in results and "不显示结果" in results  # fewer than five: counts are not shown
