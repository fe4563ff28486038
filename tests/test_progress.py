"""办件进度查询 and the promise to the applicant: the handling unit and the promised date, everywhere they look."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from portal.applications.models import Application
from portal.extensions import limiter
from tests.helpers import PDF, csrf_token, login, text, upload
from tests.test_queues import _fresh_limits, act, lead_item  # noqa: F401 (_fresh_limits is an autouse fixture)

ID_TAIL = None


def lookup(client, tracking_no: str, verifier: str, addr: str = "10.0.0.1"):
    token = csrf_token(client, "/progress")
    return client.post(
        "/progress",
        data={"csrf_token": token, "tracking_no": tracking_no, "verifier": verifier},
        environ_base={"REMOTE_ADDR": addr},
    )


def answer(response) -> str:
    """The page without what differs between any two requests (the CSRF token)."""
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"|value="[^"]*" name="csrf_token"', "", text(response))


def test_anyone_with_the_number_and_the_phones_last_digits_sees_progress_and_nothing_personal(app, db, loan_id):
    application = db.session.get(Application, loan_id)
    number, phone, id_number = application.tracking_no, application.phone, application.id_number
    client = app.test_client()
    html = text(lookup(client, number, phone[-4:]))
    assert "已提交" in html and "镇平县人力资源和社会保障局" in html and "承诺办结日期" in html
    assert "提交申请" in html and "分送办理单位" in html  # the steps, with dates
    assert application.applicant_name not in html and phone not in html and id_number not in html
    assert "已送镇平县" not in html, "no text anyone wrote, only the steps"
    by_id = text(lookup(client, number.lower().replace("-", "－"), id_number[-6:].lower()))
    assert "承诺办结日期" in by_id, "full-width dashes, lower case and the ID's last 6 work too"


def test_a_wrong_pair_answers_exactly_like_an_unknown_number(app, db, loan_id):
    number = db.session.get(Application, loan_id).tracking_no
    client = app.test_client()
    wrong = lookup(client, number, "0000")
    unknown = lookup(client, "NY-2026-DB-999999", "0000", addr="10.0.0.2")
    assert wrong.status_code == unknown.status_code == 200
    assert answer(wrong) == answer(unknown).replace("NY-2026-DB-999999", number)
    assert "没有查到" in text(wrong)


def test_malformed_numbers_get_a_message_at_the_field(app, db):
    response = lookup(app.test_client(), "NY2026", "12")
    assert response.status_code == 400
    html = text(response)
    assert "申请编号的格式是" in html and "手机号的后 4 位" in html and 'aria-invalid="true"' in html


def test_lookups_are_limited_per_tracking_number_across_addresses(app, db, loan_id):
    limiter.reset()
    number = db.session.get(Application, loan_id).tracking_no
    client = app.test_client()
    codes = [lookup(client, number, f"{n:04d}", addr=f"10.1.0.{n}").status_code for n in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429
    assert lookup(client, "NY-2026-PX-000001", "1234", addr="10.1.0.99").status_code == 200, "other numbers still work"


def test_the_progress_api_gives_the_same_facts_as_json(app, db, loan_id):
    application = db.session.get(Application, loan_id)
    number, phone = application.tracking_no, application.phone
    client = app.test_client()
    found = client.post("/api/v1/progress", json={"tracking_no": number, "verifier": phone[-4:]})
    assert found.status_code == 200
    body = found.get_json()
    assert body["state"] == "submitted" and body["handling_unit"]["name"] == "镇平县人力资源和社会保障局"
    assert body["promised_date"] and [s["action"] for s in body["steps"]] == ["submit", "route"]
    assert phone not in found.get_data(as_text=True)
    wrong = client.post("/api/v1/progress", json={"tracking_no": number, "verifier": "0000"})
    unknown = client.post("/api/v1/progress", json={"tracking_no": "NY-2026-DB-999999", "verifier": "0000"})
    assert wrong.status_code == unknown.status_code == 404 and wrong.get_json() == unknown.get_json()
    bad = client.post("/api/v1/progress", json={"tracking_no": "x", "verifier": ""})
    assert bad.status_code == 400 and set(bad.get_json()["error"]["fields"]) == {"tracking_no", "verifier"}
    assert "/api/v1/progress" in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_the_receipt_carries_the_lookup_address_a_qr_code_and_the_promised_date(app, db, people, loan_id):
    number = db.session.get(Application, loan_id).tracking_no
    applicant = app.test_client()
    login(applicant, "13411110001", "good-pass-2026")
    html = applicant.get(f"/my/applications/{number}/receipt").get_data(as_text=True)
    assert "<svg" in html and 'class="qr"' in html and "<title>" in html
    assert "/progress" in html and "承诺办结日期" in html and "镇平县人力资源和社会保障局" in html


def test_the_applicant_sees_the_unit_and_the_promise_move_with_补正_and_transfer(app, db, people, loan_id):
    application = db.session.get(Application, loan_id)
    number, first_due = application.tracking_no, application.promised_date
    assert first_due == lead_item(db, loan_id).due_date
    applicant, zp = app.test_client(), app.test_client()
    login(applicant, "13411110001", "good-pass-2026")
    login(zp, "13411110002", "good-pass-2026")
    mine = text(applicant.get("/my/applications"))
    assert "镇平县人社局" in mine or "镇平" in mine
    assert "承诺" in mine
    item_id = lead_item(db, loan_id).id
    act(zp, item_id, "claim")
    act(zp, item_id, "request_material", missing="营业执照", message="请补充")
    assert "补正期间暂停计时" in text(applicant.get(f"/my/applications/{number}"))
    token = csrf_token(applicant, f"/my/applications/{number}")
    applicant.post(
        f"/my/applications/{number}/supplement",
        data={"csrf_token": token, "comment": "已上传", "files": [upload(PDF, "执照.pdf")]},
        content_type="multipart/form-data",
    )
    assert "已按补正所用的工作日顺延" in text(applicant.get(f"/my/applications/{number}"))
    act(zp, item_id, "transfer", unit="411323-hrss", reason="申请人已迁居西峡县")
    html = text(applicant.get(f"/my/applications/{number}"))
    assert "西峡县人力资源和社会保障局" in html and "承诺时限不变" in html


def test_a_promise_past_its_date_is_marked_for_the_applicant(app, db, people, loan_id):
    application = db.session.get(Application, loan_id)
    number = application.tracking_no
    db.session.execute(
        sa.update(Application)
        .where(Application.id == loan_id)
        .values(promised_date=application.promised_date - timedelta(days=60))
    )
    db.session.commit()
    applicant = app.test_client()
    login(applicant, "13411110001", "good-pass-2026")
    assert "已超过承诺时限" in text(applicant.get(f"/my/applications/{number}"))
    assert "已超过承诺时限" in text(applicant.get("/my/applications"))


def test_the_lookup_answers_in_english_too(app, db, loan_id):
    application = db.session.get(Application, loan_id)
    client = app.test_client()
    client.set_cookie("lang", "en")
    html = text(lookup(client, application.tracking_no, application.phone[-4:]))
    assert "Promised date" in html and "Handling unit" in html and "Zhenping County Human Resources" in html
    assert "Submitted" in html or "submitted" in html
    assert "承诺办结日期" not in html and "办理单位" not in html
    wrong = text(lookup(client, "NY2026", "1"))
    assert "A tracking number looks like" in wrong and "申请编号的格式" not in wrong


def test_the_progress_api_refuses_bodies_that_are_not_an_object(app, db):
    client = app.test_client()
    for body in ([None, None], 7, "NY-2026-DB-000001"):
        response = client.post("/api/v1/progress", json=body)
        assert response.status_code == 400 and "tracking_no" in response.get_json()["error"]["fields"]
