"""返乡创业登记: the person's form, duplicates, the county 人社局's decisions, who sees what, 帮办 by SMS code."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.extensions import limiter
from portal.registry.models import Registration
from tests.helpers import bad_check_digit, client_for, csrf_token, latest_sms, make_user, text, uscc_number

# The phones of the `people` fixture (its objects expire once a request has ended their session).
APPLICANT, ZP, XX, OFFICE = "13411110001", "13411110002", "13411110004", "13411110007"
USCC = uscc_number("91411324MA3X5B7Q1")
REG_NO = "41132460000012" + "7"  # ISO 7064 MOD 11,10 check digit


def answers(token: str, **changes) -> dict:
    values = {
        "csrf_token": token,
        "business_name": "镇平县石佛寺玉雕工作室",
        "form": "enterprise",
        "uscc": USCC,
        "reg_no": "",
        "registered_on": "2021-03-15",
        "county": "411324",
        "township": "石佛寺镇",
        "industry": "manufacturing",
        "jobs": "6",
        "returned_from": "province_out",
        "returned_on": "2020-11",
    }
    values.update(changes)
    return values


@pytest.fixture
def applicant(app, people):
    limiter.reset()
    return client_for(app, APPLICANT)


def post_new(client, **changes):
    token = csrf_token(client, "/registry/new")
    return client.post("/registry/new", data=answers(token, **changes))


def user_id(db, phone: str) -> int:
    from portal.accounts.models import User

    return db.session.scalar(sa.select(User.id).where(User.phone == phone))


def reload(db, registration: Registration) -> Registration:
    """The record as it is now (each request ends the session the test loaded it in)."""
    return db.session.get(Registration, sa.inspect(registration).identity[0])


def only(db) -> Registration:
    return db.session.scalars(sa.select(Registration)).one()


# ---------------------------------------------------------------- the form


def test_a_valid_registration_is_submitted_to_the_county_hrss(app, db, people, applicant):
    response = post_new(applicant)
    assert response.status_code == 302, text(response)
    registration = only(db)
    assert registration.status == "submitted" and registration.source == "self"
    assert registration.owner_id == user_id(db, APPLICANT)
    assert registration.unit.code == "411324-hrss" and registration.uscc == USCC
    assert registration.returned_on.isoformat() == "2020-11-01"
    listing = text(applicant.get("/registry/"))
    assert "镇平县石佛寺玉雕工作室" in listing and "待县区人社局确认" in listing


def test_a_bad_check_digit_is_refused_with_a_message_and_the_other_answers_kept(db, applicant):
    response = post_new(applicant, uscc=bad_check_digit(USCC), township="石佛寺镇X")
    html = text(response)
    assert response.status_code == 400
    assert "校验码" in html and "石佛寺镇X" in html and "镇平县石佛寺玉雕工作室" in html
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


def test_an_individual_business_may_give_only_its_15_digit_registration_number(db, applicant):
    assert post_new(applicant, form="individual", uscc="", reg_no=REG_NO).status_code == 302
    registration = only(db)
    assert registration.uscc is None and registration.reg_no == REG_NO


def test_a_registration_number_alone_is_not_enough_for_an_enterprise(db, applicant):
    html = text(post_new(applicant, form="enterprise", uscc="", reg_no=REG_NO))
    assert "只有个体工商户可以填注册号" in html and "18 位统一社会信用代码" in html


def test_a_registration_number_with_a_wrong_check_digit_is_refused(applicant):
    html = text(post_new(applicant, form="individual", uscc="", reg_no=REG_NO[:-1] + "0"))
    assert "注册号最后一位（校验码）对不上" in html


def test_full_width_digits_and_letters_are_accepted_and_normalised(db, applicant):
    wide = USCC.translate(
        str.maketrans(
            "0123456789ABCDEFGHJKLMNPQRTUWXY", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ"
        )
    )
    response = post_new(applicant, uscc=wide.lower(), jobs="１２", registered_on="２０２１-０３-１５")
    assert response.status_code == 302, text(response)
    registration = only(db)
    assert registration.uscc == USCC and registration.jobs == 12 and registration.registered_on.day == 15


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"registered_on": "2021-02-30"}, "2021年2月没有30日"),
        ({"registered_on": "2021-13-01"}, "没有 13 月"),
        ({"registered_on": "9999-01-01"}, "登记日期应在 1990 年到今天之间"),
        ({"registered_on": "昨天"}, "请按 年-月-日 填写"),
        ({"returned_on": "2020-00"}, "没有 0 月"),
        ({"jobs": "99999999999999999999999"}, "带动就业人数请填 0 到 100000 之间的整数"),
        ({"jobs": "-3"}, "带动就业人数请填 0 到 100000 之间的整数"),
        ({"jobs": "٣"}, "带动就业人数请填 0 到 100000 之间的整数"),
        ({"business_name": "长" * 5000}, "最多 120 个字"),
        ({"township": ""}, "请填写乡镇（街道）"),
        ({"county": "zzz"}, "“zzz”不是南阳市的县区"),
        ({"returned_from": "mars"}, "不在可选范围内"),
        ({"uscc": "123"}, "应为 18 位"),
    ],
)
def test_odd_answers_get_a_message_not_a_server_error(db, applicant, changes, message):
    response = post_new(applicant, **changes)
    assert response.status_code == 400
    assert message in text(response)
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


def test_a_nul_byte_is_refused_with_a_message(db, applicant):
    response = post_new(applicant, business_name="玉雕\x00工作室")
    assert response.status_code == 400 and "控制字符" in text(response)


# ---------------------------------------------------------------- duplicates


def test_a_duplicate_uscc_names_the_county_not_the_owner(app, db, people, applicant):
    assert post_new(applicant, county="411381").status_code == 302  # 邓州市
    limiter.reset()
    other = make_user(db, phone="13411110099", name="李另一个")
    response = post_new(client_for(app, other.phone))
    html = text(response)
    assert response.status_code == 400
    assert "该统一社会信用代码已由邓州市登记" in html
    assert "陈返乡" not in html and "玉雕工作室" not in html.split("<main")[1].split("value=")[0]
    limiter.reset()
    again = text(post_new(applicant))  # the owner entering it a second time is told it is theirs
    assert "您已经登记过这个经营主体，可以在“我的创业登记”里查看办理进度。" in again and "由邓州市登记" not in again


def test_a_withdrawn_registration_gives_its_uscc_up(app, db, applicant):
    post_new(applicant)
    registration = only(db)
    token = csrf_token(applicant, f"/registry/{registration.id}")
    applicant.post(f"/registry/{registration.id}/withdraw", data={"csrf_token": token})
    registration = reload(db, registration)
    assert registration.status == "withdrawn" and registration.uscc is None and registration.released_uscc == USCC
    assert post_new(applicant).status_code == 302


def test_the_unique_constraint_catches_a_duplicate_that_slipped_past_the_check(app, db, people):
    from portal.registry import checks, operations, queries

    with app.test_request_context(method="POST"):
        values = {k: v for k, v in answers("x").items() if k != "csrf_token"}
        entry, errors = checks.check(values, queries.counties_by_key(), operations.today())
        assert not errors
        operations.create(entry, None, source="import")
        with pytest.raises(operations.RegistryErrors) as refused:
            operations.create(entry, None, source="import")  # as if a second request had passed the check
        assert "镇平县" in refused.value.errors["uscc"]


# ---------------------------------------------------------------- the unit's decisions


def submitted(app, db, applicant) -> int:
    post_new(applicant)
    return only(db).id


def staff_post(client, registration_id: int, **data):
    token = csrf_token(client, f"/staff/registrations/{registration_id}")
    return client.post(f"/staff/registrations/{registration_id}/decide", data={"csrf_token": token, **data})


def test_the_county_confirms_and_only_then_it_counts(app, db, people, applicant):
    from portal.registry.queries import confirmed_counts

    registration_id = submitted(app, db, applicant)
    assert confirmed_counts(2021) == []
    staff = client_for(app, ZP)
    assert "镇平县石佛寺玉雕工作室" in text(staff.get("/staff/registrations"))
    assert staff_post(staff, registration_id, action="confirm").status_code == 302
    registration = db.session.get(Registration, registration_id)
    assert registration.status == "confirmed" and registration.confirmed_by_id == user_id(db, ZP)
    assert confirmed_counts(2021) == [(registration.county_id, 3, 1, 6)]
    assert "已确认" in latest_sms(db, APPLICANT).body


def test_ask_for_proof_then_the_answer_goes_back_to_the_unit(app, db, people, applicant):
    registration_id = submitted(app, db, applicant)
    staff = client_for(app, ZP)
    response = staff_post(staff, registration_id, action="ask_proof", proof_reason="")
    assert response.status_code == 400 and "请写明需要补充什么证明" in text(response)
    staff_post(staff, registration_id, action="ask_proof", proof_reason="请把营业执照照片送到乡镇劳动保障所")
    registration = db.session.get(Registration, registration_id)
    assert registration.status == "needs_proof"
    page = text(applicant.get(f"/registry/{registration_id}"))
    assert "请把营业执照照片送到乡镇劳动保障所" in page
    token = csrf_token(applicant, f"/registry/{registration_id}")
    response = applicant.post(f"/registry/{registration_id}/answer", data={"csrf_token": token, "note": ""})
    assert response.status_code == 400 and "请写明补充的情况" in text(response)
    applicant.post(f"/registry/{registration_id}/answer", data={"csrf_token": token, "note": "照片已交给石佛寺镇"})
    registration = reload(db, registration)
    assert registration.status == "submitted" and registration.note == "照片已交给石佛寺镇"
    assert "照片已交给石佛寺镇" in text(staff.get(f"/staff/registrations/{registration_id}"))


def test_reject_needs_a_reason_and_frees_the_uscc(app, db, people, applicant):
    registration_id = submitted(app, db, applicant)
    staff = client_for(app, ZP)
    assert "请写明不予确认的原因" in text(staff_post(staff, registration_id, action="reject", reject_reason=" "))
    staff_post(staff, registration_id, action="reject", reject_reason="营业执照不是本人的")
    registration = db.session.get(Registration, registration_id)
    assert registration.status == "rejected" and registration.uscc is None
    assert "营业执照不是本人的" in text(applicant.get(f"/registry/{registration_id}"))


def test_other_county_staff_and_other_people_get_404_and_the_office_reads_only(app, db, people, applicant):
    registration_id = submitted(app, db, applicant)
    west = client_for(app, XX)
    assert west.get(f"/staff/registrations/{registration_id}").status_code == 404
    assert "镇平县石佛寺玉雕工作室" not in text(west.get("/staff/registrations"))
    token = csrf_token(west, "/staff/registrations")
    refused = west.post(
        f"/staff/registrations/{registration_id}/decide", data={"csrf_token": token, "action": "confirm"}
    )
    assert refused.status_code == 404
    limiter.reset()
    stranger = client_for(app, make_user(db, phone="13411110098").phone)
    assert stranger.get(f"/registry/{registration_id}").status_code == 404
    assert applicant.get("/staff/registrations").status_code == 404
    office = client_for(app, OFFICE)
    page = text(office.get(f"/staff/registrations/{registration_id}"))
    assert "镇平县石佛寺玉雕工作室" in page and 'value="confirm"' not in page
    token = csrf_token(office, "/staff/registrations")
    assert (
        office.post(
            f"/staff/registrations/{registration_id}/decide", data={"csrf_token": token, "action": "confirm"}
        ).status_code
        == 404
    )
    assert db.session.get(Registration, registration_id).status == "submitted"


def test_each_move_is_audited(app, db, people, applicant):
    from portal.audit import AuditLog

    registration_id = submitted(app, db, applicant)
    staff_post(client_for(app, ZP), registration_id, action="confirm")
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(
            AuditLog.object_type == "registration", AuditLog.object_id == str(registration_id)
        )
    ).all()
    assert actions == ["registration.create", "registration.confirm"]


# ---------------------------------------------------------------- 帮办 with the person's SMS code


def proxy_post(client, **changes):
    token = csrf_token(client, "/staff/registrations/new")
    data = answers(token, **{"person_name": "王返乡", "person_phone": "13411110050", **changes})
    return client.post("/staff/registrations/new", data=data)


def sent_code(db, phone: str) -> str:
    return re.search(r"确认码(\d{6})", latest_sms(db, phone).body).group(1)


def test_proxy_registration_waits_for_the_persons_code(app, db, people):
    staff = client_for(app, ZP)
    response = proxy_post(staff)
    assert response.status_code == 302, text(response)
    registration = only(db)
    assert registration.status == "awaiting_consent" and registration.source == "proxy"
    assert registration.person_name == "王返乡" and registration.entered_by_id == user_id(db, ZP)
    code = sent_code(db, "13411110050")
    url = f"/staff/registrations/{registration.id}"
    wrong = "000000" if code != "000000" else "111111"
    token = csrf_token(staff, url)
    response = staff.post(f"{url}/consent", data={"csrf_token": token, "code": wrong})
    assert response.status_code == 400 and "确认码不对，还可以再试 4 次" in text(response)
    registration = reload(db, registration)
    assert registration.status == "awaiting_consent" and registration.consent_attempts == 1
    assert staff.post(f"{url}/consent", data={"csrf_token": token, "code": code}).status_code == 302
    registration = reload(db, registration)
    assert registration.status == "submitted" and registration.owner_id is None
    assert staff_post(staff, registration.id, action="confirm").status_code == 302


def test_proxy_registration_is_linked_to_the_persons_account(app, db, people):
    staff = client_for(app, ZP)
    proxy_post(staff, person_phone=APPLICANT)
    registration = only(db)
    code = sent_code(db, APPLICANT)
    token = csrf_token(staff, f"/staff/registrations/{registration.id}")
    staff.post(f"/staff/registrations/{registration.id}/consent", data={"csrf_token": token, "code": code})
    registration = reload(db, registration)
    assert registration.owner_id == user_id(db, APPLICANT)
    mine = client_for(app, APPLICANT)
    assert "镇平县石佛寺玉雕工作室" in text(mine.get("/registry/"))


def test_the_code_stops_working_after_five_wrong_tries(app, db, people):
    staff = client_for(app, ZP)
    proxy_post(staff)
    registration = only(db)
    code = sent_code(db, "13411110050")
    wrong = "000000" if code != "000000" else "111111"
    url = f"/staff/registrations/{registration.id}"
    token = csrf_token(staff, url)
    for _ in range(5):
        staff.post(f"{url}/consent", data={"csrf_token": token, "code": wrong})
    response = staff.post(f"{url}/consent", data={"csrf_token": token, "code": code})
    assert "确认码已失效" in text(response)
    staff.post(f"{url}/resend", data={"csrf_token": token})
    assert (
        staff.post(f"{url}/consent", data={"csrf_token": token, "code": sent_code(db, "13411110050")}).status_code
        == 302
    )


def test_proxy_is_limited_to_the_units_own_counties(app, db, people):
    staff = client_for(app, ZP)
    response = proxy_post(staff, county="411323")
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
