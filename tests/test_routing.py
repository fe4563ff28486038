"""Routing follows the 2021 work plan (宛农工创〔2021〕1号), read here as the plan's own table."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from portal.queues.models import QueueItem
from portal.routing.rules import Facts, decide, validate
from tests.helpers import make_user, submit_application

# "What routing must respect", work-plan-2021.md, row by row: facts -> (lead, co-reviewers).
PLAN = [
    # Training: 人社局 leads (item 8); 科技特派员 technical training involves 科技局.
    (Facts("training", "411324", course="skills"), "411324-hrss", []),
    (Facts("training", "411324", course="tech_envoy"), "411324-hrss", ["city-sci"]),
    # Mentoring: 人社局 leads (item 9); by topic 农业农村局, 科技局, 税务局, 发展改革委, 政务大数据局.
    (Facts("mentoring", "411323", topic="agriculture"), "411323-hrss", ["city-agri"]),
    (Facts("mentoring", "411323", topic="technology"), "411323-hrss", ["city-sci"]),
    (Facts("mentoring", "411323", topic="tax"), "411323-hrss", ["city-tax"]),
    (Facts("mentoring", "411323", topic="planning"), "411323-hrss", ["city-ndrc"]),
    (Facts("mentoring", "411323", topic="ecommerce"), "411323-hrss", ["city-data"]),
    (Facts("mentoring", "411323", topic="law"), "411323-hrss", []),
    # Loans: 人社局 leads (item 11), 财政局 and 人行南阳中心支行 take part; 林权 also goes to 林业局.
    (Facts("loan", "411324", collateral="none"), "411324-hrss", ["411324-finance", "city-pbc"]),
    (Facts("loan", "411330", collateral="forest"), "411330-hrss", ["411330-finance", "city-pbc", "411330-forestry"]),
    # County first; a zone without its own 人社局 goes to the city unit.
    (Facts("loan", "zone-gaoxin", collateral="none"), "city-hrss", ["city-finance", "city-pbc"]),
    (Facts("training", None, course="skills"), "city-hrss", []),
]


@pytest.mark.parametrize("facts, lead, co_review", PLAN)
def test_decision_follows_the_work_plan(ctx, facts, lead, co_review):
    from portal.content.models import get_rules
    from portal.routing.services import unit_codes

    decision = decide(facts, get_rules("routing"), unit_codes())
    assert decision.lead == lead
    assert decision.co_review == co_review
    assert decision.rules and all(1 <= r.item <= 14 and r.why for r in decision.rules), "every rule cites the plan"


def test_deadlines_come_from_content(ctx):
    from portal.content.models import get_rules

    rules = get_rules("routing")
    assert decide(Facts("loan", "411324"), rules, {"411324-hrss"}).deadline_working_days == 15
    assert decide(Facts("training", "411324"), rules, {"411324-hrss"}).deadline_working_days == 5


def test_no_matching_rule_goes_to_the_office_triage():
    rules = {"office_unit": "city-office", "rules": [], "deadlines": {"loan": 15}}
    decision = decide(Facts("loan", "411324"), rules, {"city-office"})
    assert decision.lead == "city-office" and decision.triage


def test_rule_file_problems_are_reported():
    problems = validate(
        {
            "source": "x",
            "deadlines": {"training": 5, "mentoring": 5, "loan": 0},
            "rules": [
                {"id": "a", "type": "loan", "lead": "nobody", "item": 99},
                {"id": "a", "type": "parking", "co_review": ["hrss"], "item": 3, "why": "x", "when": {"colour": "red"}},
            ],
        },
        {"hrss"},
    )
    text = "\n".join(problems)
    for fragment in ["deadlines.loan", "“nobody” 不存在", "item", "why", "重复", "type", "“colour” 不认识"]:
        assert fragment in text


def test_explain_cli_prints_the_decision_as_json(runner):
    result = runner.invoke(
        args=["routing", "explain", "--type", "loan", "--county", "镇平县", "--collateral", "林权", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["lead"] == {"code": "411324-hrss", "name": "镇平县人力资源和社会保障局"}
    assert [c["code"] for c in data["co_review"]] == ["411324-finance", "city-pbc", "411324-forestry"]
    assert data["deadline_working_days"] == 15
    assert {r["id"] for r in data["rules"]} == {"loan-lead", "loan-forest-rights"}


def test_explain_cli_accepts_codes_and_labels(runner):
    by_code = runner.invoke(args=["routing", "explain", "--type", "mentoring", "--county", "411323", "--topic", "tax"])
    by_label = runner.invoke(
        args=["routing", "explain", "--type", "mentoring", "--county", "西峡县", "--topic", "税务"]
    )
    assert by_code.exit_code == by_label.exit_code == 0
    assert by_code.output == by_label.output
    assert "国家税务总局南阳市税务局" in by_code.output
    bad = runner.invoke(args=["routing", "explain", "--type", "loan", "--county", "火星县"])
    assert bad.exit_code != 0 and "火星县" in bad.output


@pytest.mark.parametrize("course", ["科技特派员技术指导", "科技特派员"])
def test_explain_cli_accepts_the_course_label(runner, course):
    base = ["routing", "explain", "--type", "培训", "--county", "西峡县", "--json", "--course"]
    by_code, by_label = runner.invoke(args=[*base, "tech_envoy"]), runner.invoke(args=[*base, course])
    assert by_code.exit_code == by_label.exit_code == 0, by_label.output
    assert json.loads(by_label.output) == json.loads(by_code.output)
    assert "training-tech-envoy" in {r["id"] for r in json.loads(by_label.output)["rules"]}
    bad = runner.invoke(args=[*base, "烹饪"])
    assert bad.exit_code != 0 and "tech_envoy" in bad.output


def test_submitted_applications_land_in_the_right_queues(app, db):
    user = make_user(db, phone="13511110001", name="刘返乡")
    application_id = submit_application(app, db, user, "loan", county="411330", collateral="forest")
    items = db.session.scalars(sa.select(QueueItem).where(QueueItem.application_id == application_id)).all()
    roles = {(item.unit.code, item.role) for item in items}
    assert roles == {
        ("411330-hrss", "lead"),
        ("411330-finance", "co_review"),
        ("city-pbc", "co_review"),
        ("411330-forestry", "co_review"),
    }
    assert all(item.explanation["rules"] for item in items)


def test_a_draft_is_never_routed(app, db, client):
    from tests.helpers import csrf_token, form_key, login

    make_user(db, phone="13511110002")
    login(client, "13511110002", "good-pass-2026")
    token, key = csrf_token(client, "/apply/loan"), form_key(client, "/apply/loan")
    client.post("/apply/loan", data={"csrf_token": token, "form_key": key, "action": "save", "purpose": "买设备"})
    from portal.applications.models import Application

    draft = db.session.scalar(sa.select(Application).where(Application.form_key == key))
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(QueueItem).where(QueueItem.application_id == draft.id))
        == 0
    )
