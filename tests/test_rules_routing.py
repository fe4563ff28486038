"""/admin/routing: the rules with the work-plan items they cite, "try it" answering exactly as the submit path
routes, and changes that a second administrator publishes, for applications submitted afterwards only."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.content.models import RuleSet, get_rules
from portal.queues.models import QueueItem
from portal.routing.rules import Facts
from portal.rules.models import RoutingChange
from tests.helpers import client_for, csrf_token, id_number, make_user, submit_application, text

A, B = "13611110001", "13611110002"


@pytest.fixture
def admins(db):
    return make_user(db, role="admin", phone=A, name="管理员甲"), make_user(db, role="admin", phone=B, name="管理员乙")


def test_the_rules_are_shown_with_the_work_plan_item_each_cites(app, db, admins):
    page = text(client_for(app, A).get("/admin/routing"))
    assert "loan-forest-rights" in page and "以林权抵押的贷款由林业局参与审核" in page
    assert "第11项：" in page and "抵押物：林权抵押" in page
    english = text(client_for(app, A, lang="en").get("/admin/routing"))
    assert "loan-forest-rights" in english and "Collateral: " in english


FACTS = [
    Facts("loan", "411330", collateral="forest", applicant_type="smb", amount_wan=Decimal("30")),
    Facts("loan", "zone-gaoxin", collateral="none"),
    Facts("training", "411324", course="tech_envoy"),
    Facts("mentoring", "411323", topic="ecommerce"),
    Facts("mentoring", None, topic="law"),
]


def _ask(client, facts: Facts) -> str:
    query = {"type": facts.type, "county": facts.county_code or "", "course": facts.course or "",
             "topic": facts.topic or "", "collateral": facts.collateral or "",
             "applicant_type": facts.applicant_type or "", "amount": facts.amount_wan or ""}  # fmt: skip
    return text(client.get("/admin/routing?" + urlencode(query)))


@pytest.mark.parametrize("facts", FACTS)
def test_try_it_answers_what_the_submit_path_decides(app, db, admins, facts):
    from portal.routing.services import decision_for

    page = _ask(client_for(app, A), facts)
    with app.test_request_context():
        decision = decision_for(facts)
    shown = page.split('id="decision"', 1)[1]
    assert re.findall(r'data-unit="([^"]+)"', shown) == [decision.lead, *decision.co_review]
    assert re.findall(r'data-rule="([^"]+)"', shown) == [r.id for r in decision.rules]
    assert f"{decision.deadline_working_days} 个工作日" in shown


def test_try_it_with_nonsense_answers_with_messages(app, db, admins):
    page = text(client_for(app, A).get("/admin/routing?type=boat&county=xx&amount=-1"))
    assert 'id="decision"' not in page and "请从列表里选择一项" in page and "0 到 10000" in page


def _propose(client, new_text: str, note: str = "依据测试文件调整贷款的会同单位"):
    token = csrf_token(client, "/admin/routing/propose")
    return client.post("/admin/routing/propose", data={"csrf_token": token, "text": new_text, "note": note})


def _current_text(client) -> str:
    html = text(client.get("/admin/routing/propose"))
    import html as html_module

    return html_module.unescape(
        re.search(r'<textarea[^>]*name="text"[^>]*>\r?\n?(.*?)</textarea>', html, re.S).group(1)
    )


def _with_tax_on_loans(current: str) -> str:
    changed = current.replace("co_review: [finance, pbc]", "co_review: [finance, pbc, tax]")
    assert changed != current
    return changed


def _change(db) -> RoutingChange:
    return db.session.scalar(sa.select(RoutingChange).order_by(RoutingChange.id.desc()))


def _act(client, change_id: int, action: str, **data):
    url = f"/admin/routing/changes/{change_id}"
    return client.post(f"{url}/{action}", data={"csrf_token": csrf_token(client, url), **data})


def _co_review(db, application_id: int) -> set[str]:
    items = db.session.scalars(
        sa.select(QueueItem).where(QueueItem.application_id == application_id, QueueItem.role == "co_review")
    )
    return {item.unit.code for item in items}


def test_a_change_is_published_by_a_second_admin_and_applies_to_later_applications_only(app, db, admins, people):
    reviewer_id, applicant_id = admins[1].id, people["applicant"].id
    before = submit_application(app, db, people["applicant"], "loan", county="411324")
    assert _co_review(db, before) == {"411324-finance", "city-pbc"}
    first, second = client_for(app, A), client_for(app, B)
    assert _propose(first, _with_tax_on_loans(_current_text(first))).status_code == 302
    change = _change(db)
    assert change.status == "draft" and get_rules("routing") != change.data

    # the author may not publish or reject their own change: 404, and nothing changes
    assert _act(first, change.id, "publish").status_code == 404
    assert _act(first, change.id, "reject", reason="自己不能审").status_code == 404
    page = text(first.get(f"/admin/routing/changes/{change.id}"))
    assert "须由另一位管理员审核发布" in page and "审核通过并发布" not in page
    assert 'class="diff_add"' in page or 'class="diff_chg"' in page

    assert "审核通过并发布" in text(second.get(f"/admin/routing/changes/{change.id}"))
    assert _act(second, change.id, "publish").status_code == 302
    db.session.expire_all()
    change = db.session.get(RoutingChange, change.id)
    assert change.status == "published" and change.reviewer_id == reviewer_id
    assert get_rules("routing") == change.data
    change_id, change_text = change.id, change.text

    applicant = db.session.get(User, applicant_id)
    after = submit_application(app, db, applicant, "loan", county="411324", id_number=id_number(seq="456"))
    assert _co_review(db, after) == {"411324-finance", "city-pbc", "city-tax"}
    assert _co_review(db, before) == {"411324-finance", "city-pbc"}  # nothing is re-routed

    history = text(first.get("/admin/routing"))
    assert f"修改 #{change_id}" in history and "审核：管理员乙" in history and "已发布" in history
    assert "city-tax" in _ask(first, Facts("loan", "411324", collateral="none"))
    assert _current_text(first) == change_text  # the next draft starts from what was published


def test_a_draft_written_against_older_rules_cannot_be_published(app, db, admins):
    first, second = client_for(app, A), client_for(app, B)
    current = _current_text(first)
    _propose(first, _with_tax_on_loans(current))
    one = _change(db).id
    _propose(second, current.replace("loan: 15", "loan: 20"), note="贷款时限改为20个工作日")
    two = _change(db).id
    assert _act(second, one, "publish").status_code == 302
    refused = _act(first, two, "publish")
    assert refused.status_code == 302
    assert "现行规则已被另一项修改更新" in text(first.get(f"/admin/routing/changes/{two}"))
    db.session.expire_all()
    assert db.session.get(RoutingChange, two).status == "draft"
    assert get_rules("routing")["deadlines"]["loan"] == 15


def test_reject_and_withdraw(app, db, admins):
    first, second = client_for(app, A), client_for(app, B)
    current = _current_text(first)
    _propose(first, _with_tax_on_loans(current))
    change_id = _change(db).id
    assert "请写明不通过的理由" in text(_act(second, change_id, "reject", reason=""))
    assert _act(second, change_id, "reject", reason="依据文件未印发").status_code == 302
    assert "依据文件未印发" in text(first.get(f"/admin/routing/changes/{change_id}"))
    _propose(first, _with_tax_on_loans(current))
    other = _change(db).id
    assert _act(second, other, "withdraw").status_code == 404  # only the author withdraws
    assert _act(first, other, "withdraw").status_code == 302
    db.session.expire_all()
    statuses = {c.id: c.status for c in db.session.scalars(sa.select(RoutingChange))}
    assert statuses == {change_id: "rejected", other: "withdrawn"}
    assert db.session.scalar(sa.select(RuleSet.data).where(RuleSet.name == "routing"))["deadlines"]["loan"] == 15


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("lead: hrss", "lead: nobody", 1), "部门 “nobody” 不存在"),
        (lambda t: t.replace("item: 11", "item: 99", 1), "必须用 item 注明依据的工作要点条目"),
        (lambda t: t + "\n  - [unclosed", "YAML 格式错误"),
        (lambda t: "a: &x [1]\nb: *x\n", "锚点和别名"),
        (lambda t: t, "与现行规则相同"),
        (lambda t: "", "请填写规则"),
        (lambda t: "x" * 20_001, "填写的内容太长了"),
        (lambda t: t.replace("when: {collateral: forest}", "when: {amount_min_wan: lots}"), "amount_min_wan"),
    ],
)
def test_a_proposed_change_is_validated_as_content_load_validates_it(app, db, admins, edit, message):
    client = client_for(app, A)
    response = _propose(client, edit(_current_text(client)))
    assert response.status_code in (200, 400) and message in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RoutingChange)) == 0
