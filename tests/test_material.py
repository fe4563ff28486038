"""一次性告知: one request lists everything to correct or add; the applicant corrects exactly those answers and
attaches a file to each document; a second request needs a reason and shows on the office's overview."""

from __future__ import annotations

from decimal import Decimal

from portal.applications.material import validate_checklists
from portal.applications.models import Application
from tests.helpers import PDF, client_for, csrf_token, id_number, login, make_user, submit_application, text, upload
from tests.test_queues import _fresh_limits, act, lead_item  # noqa: F401 (_fresh_limits is an autouse fixture)


def _request(app, db, loan_id, **extra):
    zp = app.test_client()
    login(zp, "13411110002", "good-pass-2026")
    item_id = lead_item(db, loan_id).id
    act(zp, item_id, "claim")
    data = {"codes": ["amount", "licence"], "note_amount": "个人最高 30 万元", "missing": "租房合同", **extra}
    return zp, item_id, act(zp, item_id, "request_material", **data)


def _applicant(app):
    client = app.test_client()
    login(client, "13411110001", "good-pass-2026")
    return client


def test_staff_choose_from_the_checklist_and_the_applicant_sees_every_item(app, db, people, loan_id):
    zp = app.test_client()
    login(zp, "13411110002", "good-pass-2026")
    act(zp, lead_item(db, loan_id).id, "claim")
    staff_page = text(zp.get(f"/staff/items/{lead_item(db, loan_id).id}"))
    assert "申请金额需要调整" in staff_page and "近三个月银行流水" in staff_page and "一次性告知" in staff_page
    _zp, _item, response = _request(app, db, loan_id)
    assert "已通知申请人补正材料" in text(response)
    number = db.session.get(Application, loan_id).tracking_no
    html = _applicant(app).get(f"/my/applications/{number}").get_data(as_text=True)
    assert "申请金额需要调整" in html and "个人最高 30 万元" in html and "租房合同" in html
    assert 'name="amount_wan"' in html, "the requested answer can be corrected here"
    assert 'name="file_licence"' in html and "正本或副本" in html, "a file for the document, with what will do"
    assert 'name="purpose"' not in html, "only the requested answers are editable"


def test_the_answer_must_fix_every_item_and_typing_is_kept(app, db, people, loan_id):
    _request(app, db, loan_id)
    number = db.session.get(Application, loan_id).tracking_no
    client = _applicant(app)
    token = csrf_token(client, f"/my/applications/{number}")
    response = client.post(
        f"/my/applications/{number}/supplement",
        data={"csrf_token": token, "amount_wan": "十五", "comment": "改好了"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "请上传：营业执照" in html and 'value="十五"' in html and "改好了" in html
    assert db.session.get(Application, loan_id).state == "needs_material", "nothing half-saved"


def test_corrected_answers_and_files_reach_the_application_and_its_history(app, db, people, loan_id):
    zp, item_id, _response = _request(app, db, loan_id)
    number = db.session.get(Application, loan_id).tracking_no
    client = _applicant(app)
    token = csrf_token(client, f"/my/applications/{number}")
    response = client.post(
        f"/my/applications/{number}/supplement",
        data={
            "csrf_token": token,
            "amount_wan": "15",
            "purpose": "想改用途也改不了",
            "file_licence": [upload(PDF, "执照.pdf")],
            "files": [upload(PDF, "合同.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    application = db.session.get(Application, loan_id)
    assert application.state == "submitted" and application.amount_wan == Decimal("15.00")
    assert application.answers["amount_wan"] == "15" and application.answers["purpose"] == "购买设备"
    assert sorted(a.kind for a in application.attachments) == ["licence", "supplement"]
    staff_html = text(zp.get(f"/staff/items/{item_id}"))
    assert "申请金额（万元）：20 → 15" in staff_html
    assert "申请金额（万元）：20 → 15" in text(client.get(f"/my/applications/{number}"))


def test_a_second_request_needs_a_reason_and_is_counted_for_the_office(app, db, people, loan_id):
    zp, item_id, _response = _request(app, db, loan_id)
    number = db.session.get(Application, loan_id).tracking_no
    client = _applicant(app)
    token = csrf_token(client, f"/my/applications/{number}")
    client.post(
        f"/my/applications/{number}/supplement",
        data={"csrf_token": token, "amount_wan": "15", "file_licence": [upload(PDF, "执照.pdf")]},
        content_type="multipart/form-data",
    )
    again = text(act(zp, item_id, "request_material", codes=["purpose"]))
    assert "已经要求过补正" in again and "写明理由" in again
    assert db.session.get(Application, loan_id).state == "submitted"
    done = text(act(zp, item_id, "request_material", codes=["purpose"], second_reason="营业执照照片看不清"))
    assert "已通知申请人补正材料" in done
    office = app.test_client()
    login(office, "13411110007", "good-pass-2026")
    overview = office.get("/office/queues").get_data(as_text=True)
    row = next(r for r in overview.split("<tr") if "镇平县人力资源和社会保障局" in r)
    assert row.rstrip().endswith("<td>1</td></tr>"), row
    assert "营业执照照片看不清" in text(zp.get(f"/staff/items/{item_id}"))


def test_checklists_are_checked_when_content_is_loaded():
    good = {"loan": [{"code": "amount", "kind": "answer", "field": "amount_wan", "label": "改金额"}]}
    assert validate_checklists(good) == []
    bad = {
        "loan": [
            {"code": "x", "kind": "answer", "field": "no_such_field", "label": "?"},
            {"code": "x", "kind": "document", "label": "证明"},
        ],
        "pets": [],
    }
    problems = " ".join(str(p) for p in validate_checklists(bad))
    assert "no_such_field" in problems and "重复" in problems and "acceptable" in problems and "pets" in problems
    conditions = {"loan": [{"code": "y", "kind": "answer", "field": "amount_wan", "label": "改金额",
                            "only_if": {"no_such_field": ["x"]}, "not_if": "collateral"}]}  # fmt: skip
    problems = " ".join(str(p) for p in validate_checklists(conditions))
    assert "only_if" in problems and "not_if" in problems


def test_the_checklist_offers_only_what_can_concern_the_application(app, db, people):
    """An individual's loan without collateral or business code: no 营业执照, no 统一社会信用代码, no 抵质押物证明;
    a loan with forest collateral: 抵质押物证明 is offered."""
    plain = submit_application(app, db, people["applicant"], "loan", county="411324")
    staff = client_for(app, "13411110002")
    act(staff, lead_item(db, plain).id, "claim")  # the request form is the claimer's
    page = text(staff.get(f"/staff/items/{lead_item(db, plain).id}"))
    assert "贷款用途请写得更具体" in page and "身份证正反面照片" in page
    assert "营业执照" not in page and "统一社会信用代码需要核对" not in page and "抵质押物证明" not in page
    forester = make_user(db, phone="13411110088", name="林返乡")
    forest = submit_application(app, db, forester, "loan", county="411324", collateral="forest",
                                id_number=id_number(seq="188"))  # fmt: skip
    act(staff, lead_item(db, forest).id, "claim")
    page = text(staff.get(f"/staff/items/{lead_item(db, forest).id}"))
    assert "抵质押物证明" in page and "营业执照" not in page
