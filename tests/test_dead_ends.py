"""Issue 12 points 7, 9 and 10: every page says what to do next, whom to call, and which entries are samples."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.applications.models import Application
from portal.catalog.models import Mentor, Park, Unit
from portal.extensions import limiter
from portal.visits.models import Visit
from tests.helpers import login, make_user, submit_application, text
from tests.test_queues import act, lead_item


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()


def cards(html: str) -> list[str]:
    return re.findall(r'<li class="card[^"]*">(.*?)</li>', html, re.S)


def set_contact(db, code: str, **values) -> Unit:
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == code))
    for name, value in values.items():
        setattr(unit, name, value)
    db.session.commit()
    return unit


CONTACT = {"phone": "0377-6000 0000", "address": "测试路 1 号", "hours": "工作日 8:30-12:00"}


# ---------------------------------------------------------------- point 7: mentors, visits, search, rejection


def test_a_mentor_page_offers_mentoring_with_that_mentor_preselected(client, db):
    mentor = db.session.scalar(sa.select(Mentor).where(Mentor.accepts_visits).order_by(Mentor.slug))
    html = text(client.get(f"/mentors/{mentor.slug}"))
    assert f'href="/apply/mentoring?mentor={mentor.slug}">请这位导师辅导</a>' in html
    make_user(db, phone="13700000001")
    login(client, "13700000001", "good-pass-2026")
    form = text(client.get(f"/apply/mentoring?mentor={mentor.slug}"))
    assert re.search(rf'<option selected value="{mentor.slug}">|<option value="{mentor.slug}" selected>', form)
    plain = text(client.get("/apply/mentoring?mentor=no-such-mentor"))
    assert "selected" not in plain.split('id="preferred_mentor"')[1].split("</select>")[0]


def test_demo_visits_show_on_the_calendar_and_the_mentors_page_marked_sample(app, client, db, runner):
    assert "sample visits added: 3" in runner.invoke(args=["visits", "demo"]).output
    assert "already there" in runner.invoke(args=["visits", "demo"]).output
    visits = db.session.scalars(sa.select(Visit).where(Visit.sample).order_by(Visit.day)).all()
    assert len(visits) == 3 and {v.status for v in visits} == {"confirmed"}
    visit_id, unit, slug = visits[0].id, visits[0].confirm_unit, visits[0].mentor.slug
    listed = [c for c in cards(text(client.get("/visits/"))) if "/visits/" in c]
    assert len(listed) == 3 and all(c.count('class="badge-sample"') == 1 for c in listed)
    unit_name = set_contact(db, unit.code, **CONTACT).name
    page = text(client.get(f"/mentors/{slug}"))
    panel = page.split("近期乡村行")[1]
    assert f'href="/visits/{visit_id}"' in panel and panel.count('class="badge-sample"') == 1
    assert unit_name in panel and 'href="tel:037760000000"' in panel and "工作日 8:30-12:00" in panel
    detail = text(client.get(f"/visits/{visit_id}"))
    assert 'href="tel:037760000000"' in detail and "测试路 1 号" in detail and "示例数据" in detail


def test_an_empty_calendar_says_what_to_do_instead(client, db):
    html = text(client.get("/visits/?county=411327"))
    assert "近期没有符合条件的走访" in html
    assert 'href="/apply/mentoring">在线申请创业辅导</a>' in html and 'href="/mentors/">看看创业导师库</a>' in html


@pytest.mark.parametrize("query", ["创业担保贷款", "担保贷款", "贷款", "想办 担保贷款"])
def test_searching_for_a_loan_offers_the_loan_application(client, query):
    html = text(client.get("/search", query_string={"q": query}))
    card = html.split('class="card answer-card"')[1].split("</aside>")[0]
    assert 'href="/apply/loan"' in card and "在线申请" in card and "创业担保贷款" in card


def test_other_searches_show_no_service_card(client):
    assert "answer-card" not in text(client.get("/search", query_string={"q": "西峡 香菇"}))


def test_a_rejection_says_what_to_do_next_and_whom_to_call(app, db, people, loan_id):
    set_contact(db, "411324-hrss", **CONTACT)
    item = lead_item(db, loan_id)
    staff = app.test_client()
    login(staff, "13411110002", "good-pass-2026")
    act(staff, item.id, "claim")
    act(staff, item.id, "reject", reason="经营项目不在扶持范围内")
    applicant = app.test_client()
    login(applicant, "13411110001", "good-pass-2026")
    number = db.session.get(Application, loan_id).tracking_no
    html = text(applicant.get(f"/my/applications/{number}"))
    steps = html.split("没有通过，接下来可以怎么办")[1].split("</section>")[0]
    assert "镇平县人力资源和社会保障局" in steps and 'href="tel:037760000000"' in steps
    assert 'href="/apply/loan?new=1"' in steps
    assert "60 日内申请行政复议" in steps and "6 个月内直接向人民法院提起行政诉讼" in steps


def test_an_open_application_shows_no_rejection_advice(app, db, people, loan_id):
    applicant = app.test_client()
    login(applicant, "13411110001", "good-pass-2026")
    number = db.session.get(Application, loan_id).tracking_no
    assert "行政复议" not in text(applicant.get(f"/my/applications/{number}"))


# ---------------------------------------------------------------- point 9: phone, address and hours


def test_units_show_phone_address_and_hours_with_a_tel_link(client, db):
    set_contact(db, "411324-hrss", **CONTACT)
    card = next(c for c in cards(text(client.get("/units/?dept=hrss"))) if "镇平县人力资源和社会保障局" in c)
    assert '<a class="tel" href="tel:037760000000">0377-6000 0000</a>' in card
    assert "测试路 1 号" in card and "工作日 8:30-12:00" in card
    real = next(c for c in cards(text(client.get("/units/?dept=hrss"))) if "卧龙区人力资源和社会保障局" in c)
    assert 'href="tel:037763229512"' in real and "办公时间" not in real, "nothing shown that is not known"


def test_the_applicant_and_the_progress_lookup_see_how_to_reach_the_handling_unit(app, db, people, loan_id):
    set_contact(db, "411324-hrss", **CONTACT)
    applicant = app.test_client()
    login(applicant, "13411110001", "good-pass-2026")
    number = db.session.get(Application, loan_id).tracking_no
    html = text(applicant.get(f"/my/applications/{number}"))
    assert 'href="tel:037760000000"' in html and "工作日 8:30-12:00" in html
    anonymous = app.test_client()
    from tests.helpers import csrf_token

    token = csrf_token(anonymous, "/progress")
    found = text(anonymous.post("/progress", data={"csrf_token": token, "tracking_no": number, "verifier": "0001"}))
    assert 'href="tel:037760000000"' in found and "测试路 1 号" in found


# ---------------------------------------------------------------- point 10: one badge per sample item


def test_home_page_policies_carry_one_sample_badge_each(client, db):
    html = text(client.get("/"))
    latest = html.split('id="h-latest"')[1].split("</section>")[0]
    items = re.findall(r"<li>(.*?)</li>", latest, re.S)
    assert items
    from portal.policies.models import Policy

    samples = set(db.session.scalars(sa.select(Policy.name).where(Policy.sample)))
    for item in items:
        name = re.search(r'class="item-title"[^>]*>([^<]*)<', item).group(1)
        assert item.count('class="badge-sample"') == (1 if name in samples else 0), name


@pytest.mark.parametrize("path, model", [("/parks/", Park), ("/bases/", None), ("/projects/", None)])
def test_list_cards_say_sample_once(client, db, path, model):
    listed = cards(text(client.get(path)))
    assert listed
    for card in listed:
        visible = re.sub(r"<[^>]+>", "", card)
        badges = card.count('class="badge-sample"')
        assert badges <= 1
        if badges:
            title = visible.split("示例数据")[0]
            assert "示例" not in title, title
            assert "（示例）" not in visible


def test_an_unpublished_mentor_or_park_is_not_offered_in_a_form(app, client, db):
    """A mentor or park taken off the public pages (editorial: visible = false) is not a choice on the mentoring
    application or the mentor's visit booking — but an application that already names the mentor still shows them."""
    mentors = db.session.scalars(sa.select(Mentor).order_by(Mentor.slug).limit(3)).all()
    (slug, name), other = (mentors[0].slug, mentors[0].name), mentors[1].slug
    park = db.session.scalar(sa.select(Park.slug).order_by(Park.slug))
    make_user(db, role="mentor", phone="13700000002", name="导师丙", mentor_slug=mentors[2].slug)
    make_user(db, phone="13700000001")
    login(client, "13700000001", "good-pass-2026")
    assert f'value="{slug}"' in text(client.get("/apply/mentoring"))
    person = db.session.scalar(sa.select(User).where(User.phone == "13700000001"))
    chosen = submit_application(app, db, person, "mentoring", preferred_mentor=slug)
    db.session.execute(sa.update(Mentor).where(Mentor.slug == slug).values(visible=False))
    db.session.execute(sa.update(Park).where(Park.slug == park).values(visible=False))
    db.session.commit()
    form = text(client.get("/apply/mentoring"))
    assert f'value="{slug}"' not in form and f'value="{other}"' in form
    desk = app.test_client()
    login(desk, "13700000002", "good-pass-2026")
    booking = text(desk.get("/mentor/visits"))
    assert 'name="place_slug"' in booking and f':{park}"' not in booking
    make_user(db, role="staff", phone="13700000003", name="镇平经办", unit_code="411324-hrss")
    staff = app.test_client()
    login(staff, "13700000003", "good-pass-2026")
    assert name in text(staff.get(f"/staff/items/{lead_item(db, chosen).id}"))  # the saved answer keeps its name


def test_mentors_are_offered_in_pinyin_order_with_their_title(client, db):
    """People look a name up by its pinyin: 曹 before 冯 before 何 … (GB 2312's order of common characters); each
    choice reads "name · title" (a title may carry its own brackets: 创业培训讲师（SYB）)."""
    make_user(db, phone="13700000001")
    login(client, "13700000001", "good-pass-2026")
    form = text(client.get("/apply/mentoring"))
    select = form.split('id="preferred_mentor"')[1].split("</select>")[0]
    offered = re.findall(r'<option value="([^"]+)">([^<]+)</option>', select)
    mentors = {m.slug: m for m in db.session.scalars(sa.select(Mentor))}
    assert len(offered) == len(mentors) > 5
    assert all(label == f"{mentors[slug].name} · {mentors[slug].title}" for slug, label in offered)
    names = [(mentors[slug].sample, mentors[slug].name) for slug, _label in offered]
    assert names == sorted(names, key=lambda pair: (pair[0], pair[1].encode("gb18030")))
    assert "））" not in select  # no bracket inside a bracket
