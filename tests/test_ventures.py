"""项目展示: an entrepreneur presents a project; nothing is public until the county's 人社局 approves it; units
shortlist it for a 路演 and recommend it to the investment fund's pool; the XLSX export has the row."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.audit import AuditLog
from portal.catalog.models import County, Project
from portal.extensions import limiter
from portal.ventures.models import Recommendation, Venture
from tests.helpers import client_for, csrf_token, latest_sms, text

# The phones of the `people` fixture: 镇平县 applicant, 镇平 人社局 staff, 西峡 人社局 staff, the office.
APPLICANT, ZP, XX, OFFICE = "13411110001", "13411110002", "13411110004", "13411110007"
CONTACT_PHONE = "13912345678"


def answers(token: str, **changes) -> dict:
    values = {
        "csrf_token": token,
        "name": "石佛寺玉雕文创小件加工坊",
        "makes": "用独山玉边角料加工手串和挂件，已与两家景区商店合作。",
        "county": "411324",
        "industry": "crafts",
        "stage": "producing",
        "jobs_created": "6",
        "jobs_planned": "20",
        "seeks": ["investment", "buyer"],
        "investment_wan": "80",
        "contact_pref": "phone",
        "contact_name": "陈返乡",
        "contact_phone": CONTACT_PHONE,
        "action": "submit",
    }
    values.update(changes)
    return values


@pytest.fixture
def applicant(app, people):
    limiter.reset()
    return client_for(app, APPLICANT)


def present(client, **changes) -> int:
    response = client.post("/my/ventures/new", data=answers(csrf_token(client, "/my/ventures/new"), **changes))
    assert response.status_code == 302, text(response)
    return int(re.search(r"/ventures/(\d+)", response.headers["Location"]).group(1))


def review(client, venture_id: int, action: str, reason: str = ""):
    token = csrf_token(client, f"/staff/ventures/{venture_id}")
    return client.post(
        f"/staff/ventures/{venture_id}/review", data={"csrf_token": token, "action": action, "reason": reason}
    )


def test_a_project_is_public_only_once_the_county_unit_approves_it(app, db, people, applicant):
    venture_id = present(applicant)
    page = text(applicant.get(f"/ventures/{venture_id}"))
    assert "石佛寺玉雕文创小件加工坊" in page and "待县区人社局审核" in page

    anonymous = app.test_client()
    assert anonymous.get(f"/ventures/{venture_id}").status_code == 404
    assert "石佛寺玉雕文创小件加工坊" not in text(anonymous.get("/ventures/"))
    other_unit = client_for(app, XX)
    assert other_unit.get(f"/ventures/{venture_id}").status_code == 404
    assert other_unit.get(f"/staff/ventures/{venture_id}").status_code == 404
    assert review(other_unit, venture_id, "approve").status_code == 404

    staff = client_for(app, ZP)
    assert "石佛寺玉雕文创小件加工坊" in text(staff.get("/staff/ventures"))
    assert review(staff, venture_id, "approve").status_code == 302
    assert latest_sms(db, APPLICANT).purpose == "venture"

    public = text(anonymous.get(f"/ventures/{venture_id}"))
    assert "石佛寺玉雕文创小件加工坊" in public and "139****5678" in public
    assert CONTACT_PHONE not in public and "陈返乡" not in public  # no personal data beyond the chosen masked phone
    listing = text(anonymous.get("/ventures/?county=镇平县&industry=crafts&seeks=investment"))
    assert "石佛寺玉雕文创小件加工坊" in listing
    assert "石佛寺玉雕文创小件加工坊" not in text(anonymous.get("/ventures/?seeks=supplier"))
    assert "石佛寺玉雕文创小件加工坊" not in text(anonymous.get("/ventures/?county=西峡县"))
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.object_type == "venture", AuditLog.object_id == str(venture_id))
    ).all()
    assert {"venture.create", "venture.submit", "venture.approve"} <= set(actions)


def test_a_returned_project_says_why_and_can_be_changed_and_submitted_again(app, db, people, applicant):
    venture_id = present(applicant)
    staff = client_for(app, ZP)
    refused = review(staff, venture_id, "return", "")
    assert refused.status_code == 400 and "请写明退回的原因" in text(refused)
    assert review(staff, venture_id, "return", "请写清楚产品的年产量。").status_code == 302
    page = text(applicant.get(f"/ventures/{venture_id}"))
    assert "请写清楚产品的年产量。" in page and "已退回修改" in page
    token = csrf_token(applicant, f"/my/ventures/{venture_id}/edit")
    response = applicant.post(f"/my/ventures/{venture_id}/edit", data=answers(token, makes="年产手串五万串。"))
    assert response.status_code == 302
    assert "待县区人社局审核" in text(applicant.get(f"/ventures/{venture_id}"))


def test_shortlisted_recommended_to_the_fund_and_exported(app, db, people, applicant):
    venture_id = present(applicant)
    staff = client_for(app, ZP)
    review(staff, venture_id, "approve")

    token = csrf_token(staff, "/staff/ventures/shortlists")
    response = staff.post("/staff/ventures/shortlists", data={
        "csrf_token": token, "name": "2021年第三季度项目路演", "purpose": "roadshow",
        "event_label": "镇平县返乡创业项目路演", "event_on": "2021-09-15", "note": ""})  # fmt: skip
    assert response.status_code == 302
    shortlist_path = response.headers["Location"]
    shortlist_id = shortlist_path.rstrip("/").rsplit("/", 1)[1]
    token = csrf_token(staff, f"/staff/ventures/{venture_id}")
    added = staff.post(f"/staff/ventures/{venture_id}/shortlist", data={"csrf_token": token, "shortlist": shortlist_id})
    assert added.status_code == 302
    again = staff.post(f"/staff/ventures/{venture_id}/shortlist", data={"csrf_token": token, "shortlist": shortlist_id})
    assert again.status_code == 400 and "已经在" in text(again)
    assert "石佛寺玉雕文创小件加工坊" in text(staff.get(shortlist_path))
    assert client_for(app, XX).get(shortlist_path).status_code == 404  # another unit's list

    future = staff.post(f"/staff/ventures/{venture_id}/recommend", data={
        "csrf_token": token, "fund": "henan-returnee-fund", "recommended_on": "2199-01-01", "note": ""})  # fmt: skip
    assert future.status_code == 400 and "推荐日期不能晚于今天" in text(future)
    odd = staff.post(f"/staff/ventures/{venture_id}/recommend", data={
        "csrf_token": token, "fund": "henan-returnee-fund", "recommended_on": "2026-02-30", "note": ""})  # fmt: skip
    assert odd.status_code == 400 and "2026年2月没有30日，请核对。" in text(odd)
    response = staff.post(f"/staff/ventures/{venture_id}/recommend", data={
        "csrf_token": token, "fund": "henan-returnee-fund", "recommended_on": "2021-06-01",
        "note": "产品有特色，带动就业好。"})  # fmt: skip
    assert response.status_code == 302
    twice = staff.post(f"/staff/ventures/{venture_id}/recommend", data={
        "csrf_token": token, "fund": "henan-returnee-fund", "recommended_on": "2021-06-02", "note": ""})  # fmt: skip
    assert twice.status_code == 400 and "已经推荐到这个基金" in text(twice)

    export = staff.get("/staff/ventures/recommendations.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["序号", "项目名称", "所在县区", "行业", "阶段", "带动就业", "融资需求(万元)", "推荐单位",
                       "推荐日期", "联系人", "状态"]  # fmt: skip
    row = next(r for r in rows[1:] if r[1] == "石佛寺玉雕文创小件加工坊")
    assert row[2:6] == ["镇平县", "玉雕与文创", "已投产经营", 6]
    assert float(row[6]) == 80 and row[8] == "2021-06-01" and row[10] == "已推荐，待基金答复"
    assert row[9] == "陈** 139****5678"  # masked: this staff member holds no full-data grant

    recommendation = db.session.scalar(sa.select(Recommendation).where(Recommendation.venture_id == venture_id))
    token = csrf_token(staff, f"/staff/ventures/{venture_id}")
    refused = staff.post(f"/staff/ventures/recommendations/{recommendation.id}/outcome",
                         data={"csrf_token": token, "action": "decline", "outcome_note": ""})  # fmt: skip
    assert refused.status_code == 400 and "请写明基金的答复" in text(refused)
    done = staff.post(f"/staff/ventures/recommendations/{recommendation.id}/outcome",
                      data={"csrf_token": token, "action": "accept", "outcome_note": "已入省项目库"})  # fmt: skip
    assert done.status_code == 302
    assert "已入库" in text(staff.get(f"/staff/ventures/{venture_id}"))
    about = (AuditLog.object_type == "venture_recommendation", AuditLog.object_id == str(recommendation.id))
    history = db.session.scalars(sa.select(AuditLog.action).where(*about)).all()
    assert {"venture_recommendation.create", "venture_recommendation.accept"} <= set(history)
    office = client_for(app, OFFICE)
    assert "石佛寺玉雕文创小件加工坊" in text(office.get("/staff/ventures/recommendations"))
    assert office.post(f"/staff/ventures/{venture_id}/recommend", data={"csrf_token": token}).status_code in (400, 404)


def test_full_data_grant_shows_the_contact_in_full_in_the_export(app, db, people, applicant):
    from portal.accounts import grants
    from portal.accounts.models import User

    venture_id = present(applicant)
    staff = client_for(app, ZP)
    review(staff, venture_id, "approve")
    token = csrf_token(staff, f"/staff/ventures/{venture_id}")
    staff.post(f"/staff/ventures/{venture_id}/recommend", data={"csrf_token": token, "fund": "henan-returnee-fund",
                                                                 "recommended_on": "", "note": ""})  # fmt: skip
    user = db.session.scalar(sa.select(User).where(User.phone == ZP))
    grants.grant(user, None, "向省里报送推荐项目", grants.today() + timedelta(days=30))
    db.session.commit()
    sheet = load_workbook(io.BytesIO(staff.get("/staff/ventures/recommendations.xlsx").data)).active
    assert any(row[9].value == f"陈返乡 {CONTACT_PHONE}" for row in sheet.iter_rows(min_row=2))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"investment_wan": "99999999999"}, "金额太大了"),
        ({"investment_wan": "-5"}, "金额要大于 0"),
        ({"investment_wan": "五十"}, "以万元为单位的数字"),
        ({"jobs_created": "-3"}, "人数不能是负数"),
        ({"jobs_planned": "99999999999999999999"}, "人数太大了"),
        ({"jobs_planned": "三个"}, "请填写整数人数"),
        ({"name": "长" * 81}, "最多 80 个字"),
        ({"makes": "长" * 1001}, "最多 1000 个字"),
        ({"seeks": []}, "请至少选择一项"),
        ({"seeks": ["investment"], "investment_wan": ""}, "融资需求"),
        ({"contact_phone": "12345"}, "11 位手机号码"),
        ({"county": "zzz"}, "请选择项目所在的县区"),
    ],
)
def test_bad_answers_get_a_message_at_the_field_and_nothing_is_saved(app, db, people, applicant, changes, message):
    before = db.session.scalar(sa.select(sa.func.count(Venture.id)))
    response = applicant.post("/my/ventures/new", data=answers(csrf_token(applicant, "/my/ventures/new"), **changes))
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert "石佛寺玉雕文创小件加工坊" in page or "name" in changes  # the other answers are kept
    assert db.session.scalar(sa.select(sa.func.count(Venture.id))) == before


def test_full_width_digits_are_read_as_meant_and_nul_bytes_are_refused(app, db, people, applicant):
    venture_id = present(applicant, jobs_created="６", investment_wan="１２.５", contact_phone="１３９１２３４５６７８")
    venture = db.session.get(Venture, venture_id)
    assert (
        venture.jobs_created == 6 and float(venture.investment_wan) == 12.5 and venture.contact_phone == CONTACT_PHONE
    )
    token = csrf_token(applicant, "/my/ventures/new")
    assert applicant.post("/my/ventures/new", data=answers(token, name="玉雕\x00坊")).status_code == 400


def test_only_the_owner_and_the_unit_see_a_draft_and_english_pages_speak_english(app, db, people, applicant):
    venture_id = present(applicant, action="save")
    assert "草稿" in text(applicant.get(f"/ventures/{venture_id}"))
    assert client_for(app, "13411110005").get(f"/ventures/{venture_id}").status_code == 404  # 镇平 财政局
    assert client_for(app, ZP).get(f"/ventures/{venture_id}").status_code == 200
    en = client_for(app, APPLICANT, lang="en")
    page = text(en.get(f"/ventures/{venture_id}"))
    assert "Draft" in page and "Zhenping County" in page
    assert "Present my project" in text(en.get("/my/ventures/new"))


def test_the_demonstration_project_links_to_its_project_page(app, db, people, applicant):
    venture_id = present(applicant)
    staff = client_for(app, ZP)
    review(staff, venture_id, "approve")
    county = db.session.scalar(sa.select(County).where(County.code == "411324"))
    project = db.session.scalar(sa.select(Project).where(Project.county_id == county.id).limit(1))
    other = db.session.scalar(sa.select(Project).where(Project.county_id != county.id).limit(1))
    token = csrf_token(staff, f"/staff/ventures/{venture_id}")
    wrong = staff.post(f"/staff/ventures/{venture_id}/link", data={"csrf_token": token, "project": str(other.id)})
    assert wrong.status_code == 400 and "请从本县区的示范项目里选择" in text(wrong)
    assert f"/ventures/{venture_id}" not in text(app.test_client().get(f"/projects/{project.slug}"))
    linked = staff.post(f"/staff/ventures/{venture_id}/link", data={"csrf_token": token, "project": str(project.id)})
    assert linked.status_code == 302
    assert f"/ventures/{venture_id}" in text(app.test_client().get(f"/projects/{project.slug}"))


def test_demo_command_adds_published_sample_projects_once(app, db, runner):
    from portal.ventures.demo import make_demo

    with app.test_request_context():
        made = make_demo()
        db.session.commit()
        assert made >= 4 and make_demo() == 0
    page = text(app.test_client().get("/ventures/"))
    assert "示例：香菇深加工与冷链配送" in page and "示例数据" in page
