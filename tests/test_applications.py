"""Online applications: the three forms, drafts, attachments, one submission per form, receipt and timeline."""

from __future__ import annotations

import re
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.applications import operations as app_services
from portal.applications import states
from portal.applications.models import Application, ApplicationEvent
from portal.applications.states import transition
from portal.audit import AuditLog
from portal.errors import InvalidTransition, NotAllowed
from portal.extensions import limiter
from tests.helpers import (
    JPEG,
    PDF,
    PNG,
    bad_check_digit,
    client_for,
    csrf_token,
    form_key,
    id_number,
    login,
    make_user,
    text,
    upload,
    uscc_number,
)

ID = id_number()


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()


@pytest.fixture
def applicant(db, client):
    user = make_user(db, phone="13611110001", name="王返乡")
    login(client, "13611110001", "good-pass-2026")
    return user


def common(token: str, key: str, **extra) -> dict:
    data = {
        "csrf_token": token,
        "form_key": key,
        "applicant_name": "王返乡",
        "id_number": ID,
        "phone": "13611110001",
        "county": "411324",
        "township": "石佛寺镇",
        "consent": "y",
        "action": "submit",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def training(token, key, **extra):
    answers = dict(
        course_type="practice",
        preferred_county="411324",
        preferred_session="周末",
        education="junior",
        business="玉雕直播带货",
        years_away="8",
        where_worked="广东东莞",
    )
    return common(token, key, **{**answers, **extra})


def mentoring(token, key, **extra):
    answers = dict(
        topic="tax",
        stage="young",
        problem="开业半年，不知道怎么报税，想请导师讲讲。",
        preferred_mentor="",
        preferred_way="phone",
    )
    return common(token, key, **{**answers, **extra})


def loan(token, key, **extra):
    data = common(
        token,
        key,
        applicant_type="individual",
        group="returning_migrant",
        amount_wan="20",
        term_months="36",
        purpose="购买玉雕设备和直播器材",
        collateral="none",
        statement_group="y",
        statement_no_other_loans="y",
        statement_truthful="y",
        statement_credit_check="y",
    )
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def start(client, app_type: str) -> tuple[str, str]:
    url = f"/apply/{app_type}"
    return csrf_token(client, url), form_key(client, url)


BUILDERS = {"training": training, "mentoring": mentoring, "loan": loan}
CODES = {"training": "PX", "mentoring": "FD", "loan": "DB"}


@pytest.mark.parametrize("app_type", ["training", "mentoring", "loan"])
def test_apply_submit_receipt_and_timeline(client, db, applicant, app_type):
    token, key = start(client, app_type)
    response = client.post(f"/apply/{app_type}", data=BUILDERS[app_type](token, key))
    assert response.status_code == 302, text(response)[:3000]
    receipt = text(client.get(response.headers["Location"]))
    number = re.search(r"NY-\d{4}-[A-Z]{2}-\d{6}", receipt).group(0)
    assert CODES[app_type] in number
    assert "申请回执" in receipt
    assert "4113**********" + ID[-4:] in receipt and ID not in receipt
    assert "136****0001" in receipt
    detail = text(client.get(f"/my/applications/{number}"))
    assert "办理进度" in detail and "提交申请" in detail and "已提交" in detail
    application = db.session.scalar(sa.select(Application).where(Application.tracking_no == number))
    assert application.state == states.SUBMITTED and application.submitted_at is not None


def test_logged_out_applicant_is_sent_to_login_and_back(client, db):
    make_user(db, phone="13611110009")
    response = client.get("/apply/loan")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    token = csrf_token(client, response.headers["Location"])
    back = client.post(
        response.headers["Location"], data={"csrf_token": token, "phone": "13611110009", "password": "good-pass-2026"}
    )
    assert back.headers["Location"].endswith("/apply/loan")


def test_staff_cannot_apply(client, db):
    make_user(db, role="staff", phone="13611110008", unit_code="city-hrss")
    login(client, "13611110008", "good-pass-2026")
    assert client.get("/apply/training").status_code == 403


# ---------------------------------------------------------------- validation, each with its own message


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("id_number", bad_check_digit(ID), "校验码"),
        ("id_number", id_number("41132419961312"), "出生日期"),
        ("id_number", "4113241985", "18 位"),
        ("id_number", id_number("41132420200101"), "年龄"),
        ("phone", "1234", "11 位手机号"),
        ("county", "", "请选择居住的县区"),
        ("township", "", "请填写乡镇或街道"),
        ("consent", None, "需要同意处理个人信息"),
        ("amount_wan", "50", "30 万元（财金〔2023〕75号）"),
        ("amount_wan", "abc", "请填写数字"),
        ("amount_wan", "0.001", "金额至少 0.01 万元（100 元）"),
        ("amount_wan", "0", "金额至少 0.01 万元（100 元）"),
        ("amount_wan", "12.345", "最多两位小数"),
        ("term_months", "48", "期限"),
    ],
)
def test_loan_field_messages(client, db, applicant, field, value, message):
    token, key = start(client, "loan")
    response = client.post("/apply/loan", data=loan(token, key, **{field: value}))
    assert response.status_code == 400
    html = text(response)
    assert message in html
    # the other answers are kept
    assert "购买玉雕设备和直播器材" in html
    assert db.session.scalar(sa.select(Application).where(Application.form_key == key)).state == states.DRAFT


def test_invalid_uscc_for_a_business(client, db, applicant):
    token, key = start(client, "loan")
    bad = uscc_number()[:-1] + ("0" if uscc_number()[-1] != "0" else "1")
    html = text(
        client.post(
            "/apply/loan",
            data=loan(token, key, applicant_type="smb", business_name="想念玉雕", uscc=bad, term_months="24"),
        )
    )
    assert "统一社会信用代码" in html and "校验码" in html


def test_business_needs_name_code_and_licence(client, applicant):
    token, key = start(client, "loan")
    html = text(client.post("/apply/loan", data=loan(token, key, applicant_type="smb", term_months="24")))
    assert "请填写经营主体名称" in html and "请填写统一社会信用代码" in html and "请上传营业执照" in html


def test_partnership_limit_grows_with_members(client, db, applicant):
    token, key = start(client, "loan")
    partner = id_number("41132419970101", "456")
    data = loan(
        token,
        key,
        applicant_type="partnership",
        business_name="石佛寺玉雕合作社",
        uscc=uscc_number(),
        co1_name="李合伙",
        co1_id=partner,
        amount_wan="70",
        licence=upload(PDF, "licence.pdf"),
    )
    html = text(client.post("/apply/loan", data=data, content_type="multipart/form-data"))
    assert "2 人合伙创业最多可以申请 66 万元" in html
    data = loan(
        token,
        key,
        applicant_type="partnership",
        business_name="石佛寺玉雕合作社",
        uscc=uscc_number(),
        co1_name="李合伙",
        co1_id=partner,
        amount_wan="66",
    )
    assert client.post("/apply/loan", data=data).status_code == 302


def test_missing_statement(client, applicant):
    token, key = start(client, "loan")
    html = text(client.post("/apply/loan", data=loan(token, key, statement_truthful=None)))
    assert "请阅读并确认这一条" in html


def test_forest_collateral_needs_proof(client, applicant):
    token, key = start(client, "loan")
    html = text(client.post("/apply/loan", data=loan(token, key, collateral="forest")))
    assert "请上传抵质押物证明" in html


def test_mentoring_problem_must_be_described(client, applicant):
    token, key = start(client, "mentoring")
    html = text(client.post("/apply/mentoring", data=mentoring(token, key, problem="太难")))
    assert "10 到 2000 个字" in html


def test_training_years_away_must_be_a_number(client, applicant):
    token, key = start(client, "training")
    html = text(client.post("/apply/training", data=training(token, key, years_away="很多年")))
    assert "在外务工的年数" in html or "0 到 60" in html


# ---------------------------------------------------------------- attachments


def test_disguised_file_is_refused_and_good_uploads_are_kept(client, db, applicant):
    token, key = start(client, "loan")
    data = loan(
        token,
        key,
        amount_wan="99",
        business_plan=upload(PDF, "计划书.pdf"),
        id_copy=upload(b"MZ\x90\x00 this is a program", "身份证.pdf"),
    )
    response = client.post("/apply/loan", data=data, content_type="multipart/form-data")
    html = text(response)
    assert response.status_code == 400
    assert "只能上传 PDF、JPG 或 PNG" in html
    assert "计划书.pdf" in html, "the good upload is kept and listed"
    application = db.session.scalar(sa.select(Application).where(Application.form_key == key))
    assert [a.original_name for a in application.attachments] == ["计划书.pdf"]


def test_oversize_file_is_refused(app, client, db, applicant, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_FILE_MB", 0.1)
    token, key = start(client, "training")
    big = PDF + b"0" * (110 * 1024)
    response = client.post(
        "/apply/training",
        data=training(token, key, business_plan=upload(big, "big.pdf")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "超过 0.1 MB" in text(response)


def test_attachments_are_served_only_to_their_owner(app, client, db, applicant):
    token, key = start(client, "training")
    data = training(token, key, business_plan=upload(PNG, "plan.png"), id_copy=upload(JPEG, "id.jpg"))
    response = client.post("/apply/training", data=data, content_type="multipart/form-data")
    number = re.search(r"NY-\d{4}-PX-\d{6}", response.headers["Location"]).group(0)
    application = db.session.scalar(sa.select(Application).where(Application.tracking_no == number))
    attachment = application.attachments[0]
    own = client.get(f"/my/applications/{number}/files/{attachment.id}")
    assert own.status_code == 200 and own.data == PNG
    assert own.headers["Content-Disposition"].startswith("attachment")
    own.close()
    stranger = app.test_client()
    make_user(db, phone="13611110002")
    login(stranger, "13611110002", "good-pass-2026")
    assert stranger.get(f"/my/applications/{number}/files/{attachment.id}").status_code == 404
    assert stranger.get(f"/my/applications/{number}").status_code == 404
    assert stranger.get(f"/my/applications/{number}/receipt").status_code == 404


def test_stored_files_have_random_names_and_live_in_the_database(app, client, db, applicant):
    from pathlib import Path

    from portal.applications.models import StoredBlob

    token, key = start(client, "training")
    client.post(
        "/apply/training",
        data=training(token, key, business_plan=upload(PDF, "../../etc/passwd.pdf")),
        content_type="multipart/form-data",
    )
    application = db.session.scalar(sa.select(Application).where(Application.form_key == key))
    stored = application.attachments[0]
    assert stored.original_name == "passwd.pdf"
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", stored.stored_name)
    # The bytes are in the database, under the random name, written with the row (no file on any app server).
    assert db.session.get(StoredBlob, stored.stored_name).data == PDF
    assert not (Path(app.config["PORTAL_DATA_DIR"]) / "uploads").exists()
    assert client.get(f"/static/{stored.stored_name}").status_code == 404


# ---------------------------------------------------------------- drafts, idempotence, security


def test_draft_is_kept_and_not_submitted(client, db, applicant):
    token, key = start(client, "mentoring")
    response = client.post(
        "/apply/mentoring",
        data={
            "csrf_token": token,
            "form_key": key,
            "action": "save",
            "topic": "ecommerce",
            "problem": "想开网店卖香菇",
        },
    )
    assert response.status_code == 302
    application = db.session.scalar(sa.select(Application).where(Application.form_key == key))
    assert application.state == states.DRAFT and application.tracking_no is None
    html = text(client.get("/apply/mentoring"))
    assert "想开网店卖香菇" in html and "草稿" in html
    assert "继续填写草稿" in text(client.get("/my/applications"))


def test_boxes_left_unticked_in_a_draft_can_be_ticked_when_the_applicant_comes_back(client, db, applicant):
    """A browser sends a ticked box's own value: the draft page must render it as "y", not as the empty answer the
    draft kept (found by the browser journey: after a saved draft the loan could never be submitted)."""
    token, key = start(client, "loan")
    unticked = {k: v for k, v in loan(token, key, action="save").items() if not k.startswith("statement_")}
    unticked.pop("consent", None)
    assert client.post("/apply/loan", data=unticked).status_code == 302
    html = text(client.get("/apply/loan"))
    assert "这是您保存的草稿" in html
    boxes = re.findall(r'<input[^>]*type="checkbox"[^>]*>', html)
    assert boxes and all('value="y"' in box and "checked" not in box for box in boxes), boxes
    token = csrf_token(client, "/apply/loan")
    response = client.post("/apply/loan", data=loan(token, key, action="submit"))
    assert response.status_code == 302 and "/receipt" in response.headers["Location"]


def test_replayed_submission_creates_one_application(client, db, applicant):
    token, key = start(client, "training")
    first = client.post("/apply/training", data=training(token, key))
    second = client.post("/apply/training", data=training(token, key))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(Application.form_key == key))
    assert count == 1


def test_missing_csrf_token_changes_nothing(client, db, applicant):
    _token, key = start(client, "training")
    data = training("", key)
    del data["csrf_token"]
    response = client.post("/apply/training", data=data)
    assert response.status_code == 400
    assert db.session.scalar(sa.select(Application).where(Application.form_key == key)) is None


def test_personal_numbers_are_encrypted_at_rest(client, db, applicant):
    token, key = start(client, "loan")
    client.post("/apply/loan", data=loan(token, key))
    raw = db.session.execute(sa.text("SELECT id_number, phone, private, id_hash FROM application")).all()
    flat = str(raw)
    assert ID not in flat and "13611110001" not in flat
    application = db.session.scalar(sa.select(Application).where(Application.form_key == key))
    assert application.id_number == ID and len(application.id_hash) == 64


def test_a_second_open_loan_for_the_same_person_is_refused(client, db, applicant):
    token, key = start(client, "loan")
    client.post("/apply/loan", data=loan(token, key))
    token, key = start(client, "loan")
    html = text(client.post("/apply/loan", data=loan(token, key)))
    assert "已有一笔正在办理的创业担保贷款申请" in html


def test_withdraw_before_a_decision(client, db, applicant):
    token, key = start(client, "training")
    number = re.search(
        r"NY-\d{4}-PX-\d{6}", client.post("/apply/training", data=training(token, key)).headers["Location"]
    ).group(0)
    detail = client.get(f"/my/applications/{number}").get_data(as_text=True)
    assert f'href="/my/applications/{number}/withdraw"' in detail
    assert f'action="/my/applications/{number}/withdraw"' not in detail, "one click does not withdraw"
    confirm = client.get(f"/my/applications/{number}/withdraw")
    page = text(confirm)
    assert "确定要撤回这份申请吗" in page and "撤回不能恢复" in page and "确定撤回" in page
    assert "已撤回" not in text(client.get(f"/my/applications/{number}")), "showing the page withdrew nothing"
    token = csrf_token(client, f"/my/applications/{number}/withdraw")
    client.post(f"/my/applications/{number}/withdraw", data={"csrf_token": token, "reason": "已经找到工作"})
    html = text(client.get(f"/my/applications/{number}"))
    assert "已撤回" in html and "已经找到工作" in html
    assert "已经不能撤回" in text(client.get(f"/my/applications/{number}/withdraw"))
    token = csrf_token(client, f"/my/applications/{number}")
    again = client.post(f"/my/applications/{number}/withdraw", data={"csrf_token": token}, follow_redirects=True)
    assert "不能撤回申请" in text(again)


def test_answering_a_request_for_material(app, client, db, applicant):
    token, key = start(client, "loan")
    number = re.search(
        r"NY-\d{4}-DB-\d{6}", client.post("/apply/loan", data=loan(token, key)).headers["Location"]
    ).group(0)
    staff = make_user(db, role="staff", phone="13611110007", unit_code="411324-hrss")
    application = db.session.scalar(sa.select(Application).where(Application.tracking_no == number))
    with app.test_request_context():
        transition(
            application,
            "request_material",
            staff,
            message="请补充银行流水。",
            details={"missing": ["近三个月银行流水"]},
        )
        db.session.commit()
    html = text(client.get(f"/my/applications/{number}"))
    assert "待补正材料" in html and "近三个月银行流水" in html
    token = csrf_token(client, f"/my/applications/{number}")
    response = client.post(
        f"/my/applications/{number}/supplement",
        data={"csrf_token": token, "comment": "已上传流水", "files": [upload(PDF, "流水.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    application = db.session.scalar(sa.select(Application).where(Application.tracking_no == number))
    assert application.state == states.SUBMITTED
    assert any(a.kind == "supplement" for a in application.attachments)
    assert "补正材料" in text(client.get(f"/my/applications/{number}"))


def test_state_machine_refuses_moves_it_does_not_allow(client, db, applicant, ctx):
    token, key = start(client, "training")
    client.post("/apply/training", data=training(token, key))
    application = db.session.scalar(sa.select(Application).where(Application.form_key == key))
    staff = make_user(db, role="staff", phone="13611110006", unit_code="city-hrss")
    applicant = db.session.scalar(sa.select(User).where(User.phone == "13611110001"))
    with pytest.raises(InvalidTransition):
        transition(application, "approve", staff)  # must be accepted first
    transition(application, "accept", staff)
    with pytest.raises(NotAllowed):
        transition(application, "reject", applicant)  # an applicant cannot act as staff
    transition(application, "approve", staff)
    with pytest.raises(InvalidTransition):
        transition(application, "withdraw", applicant)
    events = db.session.scalars(
        sa.select(ApplicationEvent.action).where(ApplicationEvent.application_id == application.id)
    ).all()
    assert events == ["submit", "route", "accept", "approve"]
    audited = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.object_type == "application", AuditLog.object_id == str(application.id))
    ).all()
    assert [(a.before or {}).get("state") for a in audited if a.action == "application.approve"] == ["accepted"]


def test_tracking_numbers_are_sequential_per_year_and_type(ctx, db, applicant):
    numbers = [app_services.next_tracking_no("loan", 2031) for _ in range(3)]
    assert numbers == ["NY-2031-DB-000001", "NY-2031-DB-000002", "NY-2031-DB-000003"]
    assert app_services.next_tracking_no("training", 2031) == "NY-2031-PX-000001"


@pytest.mark.committing
def test_tracking_numbers_are_unique_under_concurrency(isolated_app):
    from portal.db import writing
    from portal.extensions import db

    numbers: list[str] = []
    errors: list[str] = []
    barrier = threading.Barrier(8)

    def take():
        with isolated_app.app_context(), writing():
            try:
                barrier.wait()
                numbers.append(app_services.next_tracking_no("mentoring", 2032))
                db.session.commit()
            except Exception as exc:  # collected and reported by the assertion below
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == [f"NY-2032-FD-{i:06d}" for i in range(1, 9)]


@pytest.mark.committing
def test_key_rotation_reencrypts_everything(isolated_app, tmp_path, monkeypatch):
    from portal.core import crypto
    from portal.extensions import db

    app = isolated_app
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.delenv("PORTAL_DATA_KEYS", raising=False)
    old_ring = crypto.ring()
    crypto.set_ring(crypto.load_keyring(tmp_path))
    try:
        with app.app_context():
            user = make_user(db, phone="13611119990")
            number = id_number(seq="555")
            application = Application(
                type="loan",
                state="draft",
                applicant_id=user.id,
                form_key="rotation-test",
                id_number=number,
                phone="13611119990",
                answers={},
                private={"uscc": "x"},
            )
            db.session.add(application)
            db.session.commit()
            raw_before = db.session.execute(
                sa.text("SELECT id_number FROM application WHERE form_key = 'rotation-test'")
            ).scalar()
            first_key = (tmp_path / "data_keys").read_text().split()[0]
            result = app.test_cli_runner().invoke(args=["keys", "rotate"])
            assert result.exit_code == 0, result.output
            keys = (tmp_path / "data_keys").read_text().split()
            assert len(keys) == 1 and keys[0] != first_key
            raw_after = db.session.execute(
                sa.text("SELECT id_number FROM application WHERE form_key = 'rotation-test'")
            ).scalar()
            assert raw_after != raw_before
            db.session.expire_all()
            again = db.session.scalar(sa.select(Application).where(Application.form_key == "rotation-test"))
            assert again.id_number == number and again.private == {"uscc": "x"}
            db.session.delete(again)
            db.session.commit()
            db.session.remove()
    finally:
        crypto.set_ring(old_ring)


def test_the_id_number_of_the_last_application_need_not_be_typed_again(client, db, applicant):
    token, key = start(client, "training")
    client.post("/apply/training", data=training(token, key))
    first = db.session.scalar(sa.select(Application).where(Application.form_key == key))
    assert first.tracking_no, "the first application was submitted"
    html = client.get("/apply/mentoring?new=1").get_data(as_text=True)
    masked = f"{ID[:4]}{'*' * 10}{ID[-4:]}"
    assert masked in html and ID not in html, "shown masked; the full number stays on the server"
    token, key = start(client, "mentoring")
    response = client.post("/apply/mentoring", data=mentoring(token, key, id_number=""))
    assert response.status_code == 302, text(response)[-2000:]
    second = db.session.scalar(sa.select(Application).where(Application.form_key == key))
    assert second.tracking_no and second.id_number == ID and second.id_hash == first.id_hash


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-inf", "1e309", "sNaN"])
def test_an_amount_that_is_not_a_finite_number_is_a_form_message(client, db, applicant, amount):
    token, key = start(client, "loan")
    response = client.post("/apply/loan", data=loan(token, key, amount_wan=amount, purpose="购买玉雕设备"))
    html = text(response)
    assert response.status_code == 400, html[-1500:]
    assert "请填写数字" in html or "金额太大了" in html
    assert "购买玉雕设备" in html  # the other answers are kept


def test_full_width_digits_are_stored_as_the_number_they_are(client, db, applicant):
    token, key = start(client, "loan")
    response = client.post("/apply/loan", data=loan(token, key, amount_wan="１２.５", term_months="２４"))
    assert response.status_code == 302, text(response)[-1500:]
    application = db.session.scalar(sa.select(Application).where(Application.form_key == key))
    assert application.answers["amount_wan"] == "12.5" and application.answers["term_months"] == "24"
    assert application.amount_wan == Decimal("12.5")


def test_the_error_summary_does_not_put_a_colon_after_a_full_stop(client, db, applicant):
    token, key = start(client, "loan")
    html = text(client.post("/apply/loan", data=loan(token, key, statement_truthful=None)))
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    assert "。：" not in summary and "如有虚假愿意承担相应责任：" in summary


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("王😀", False),
        ("王返乡1", False),
        ("王<b>", False),
        ("阿卜杜·热合曼", True),
        ("王 返乡", True),
        ("欧阳娜娜", True),
    ],
)
def test_a_name_is_written_as_on_the_id_card(client, db, applicant, name, ok):
    token, key = start(client, "training")
    response = client.post("/apply/training", data=training(token, key, applicant_name=name))
    assert (response.status_code == 302) is ok, text(response)[-800:]
    if not ok:
        assert "姓名请按身份证填写" in text(response) and "玉雕直播带货" in text(response)


def test_every_saved_draft_can_be_opened_from_my_applications(app, client, db, applicant):
    """重新填写一份 starts another draft; 我的申请 lists each, and each link opens its draft (all opened the newest)."""
    token, key = start(client, "training")
    client.post("/apply/training", data=training(token, key, action="save", business="第一份草稿的项目"))
    client.get("/apply/training?new=1")
    token, other = csrf_token(client, "/apply/training?new=1"), form_key(client, "/apply/training?new=1")
    client.post("/apply/training", data=training(token, other, action="save", business="第二份草稿的项目"))
    mine = client.get("/my/applications").get_data(as_text=True)
    links = re.findall(r'href="(/apply/training\?draft=\d+)">继续填写草稿', mine)
    assert len(links) == 2
    opened = {link: text(client.get(link)) for link in links}
    assert sum("第一份草稿的项目" in page for page in opened.values()) == 1
    assert sum("第二份草稿的项目" in page for page in opened.values()) == 1
    make_user(db, phone="13611110009", name="李别人")
    stranger = client_for(app, "13611110009")
    assert all(stranger.get(link).status_code == 404 for link in links)  # another person's draft: not found
    assert client.get("/apply/training?draft=99999").status_code == 404
