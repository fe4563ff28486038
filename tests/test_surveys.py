"""需求调查: the office drafts a survey for a county and opens it; the county's entrepreneurs answer once, anonymously;
outsiders get 404; the results suppress small counts; the free texts go to XLSX; no answer row names a person."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.extensions import limiter
from portal.surveys.models import SurveyAnswer, SurveyParticipant, SurveyResponse
from tests.helpers import client_for, csrf_token, make_user, submit_application, text

OFFICE, ZP_STAFF, XX_STAFF = "13511110001", "13511110002", "13511110003"
IN_COUNTY, OUTSIDER = "13511110010", "13511110011"
PEERS = [f"135111101{n:02d}" for n in range(6)]  # more entrepreneurs in 镇平县, to pass the threshold of 5


def today():
    from portal.surveys.queries import today as local_today

    return local_today()


@pytest.fixture
def world(app, db):
    """The office, staff of 镇平县 and 西峡县 人社局, one entrepreneur who applied in 镇平县, one in 西峡县."""
    limiter.reset()
    make_user(db, role="office", phone=OFFICE, name="办公室", unit_code="city-office")
    make_user(db, role="staff", phone=ZP_STAFF, name="镇平经办", unit_code="411324-hrss")
    make_user(db, role="staff", phone=XX_STAFF, name="西峡经办", unit_code="411323-hrss")
    return {
        "inside": entrepreneur(app, db, IN_COUNTY, "陈返乡", "training", "411324"),
        "outside": entrepreneur(app, db, OUTSIDER, "林外县", "training", "411323"),
    }


def entrepreneur(app, db, phone: str, name: str, app_type: str, county: str) -> int:
    """An applicant account with one submitted application; its id."""
    user = make_user(db, phone=phone, name=name)
    user_id = user.id
    submit_application(app, db, user, app_type, county=county)
    return user_id


def post(client, url: str, form_url: str | None = None, **data):
    data.setdefault("csrf_token", csrf_token(client, form_url or url))
    return client.post(url, data=data)


def create_survey(client, **changes) -> int:
    values = dict(
        title="镇平县返乡创业需求调查",
        purpose="了解大家最需要的支持。",
        audience="county:411324",
        anonymity="anonymous",
        opens_on=today().isoformat(),
        closes_on=(today() + timedelta(days=14)).isoformat(),
    )
    values.update(changes)
    response = post(client, "/staff/surveys/new", **values)
    assert response.status_code == 302, text(response)
    return int(re.search(r"/staff/surveys/(\d+)", response.headers["Location"]).group(1))


def add_question(client, survey_id: int, **values) -> None:
    url = f"/staff/surveys/{survey_id}/questions/new"
    response = post(client, url, **{"required": "y", **values})
    assert response.status_code == 302, text(response)


def drafted(client) -> int:
    survey_id = create_survey(client)
    add_question(client, survey_id, kind="single", text="最需要哪方面的支持？", options="资金\n培训\n场地")
    add_question(
        client, survey_id, kind="multiple", text="怎样了解政策？", options="微信\n短信\n乡镇\n本平台", max_choices="2"
    )
    add_question(client, survey_id, kind="scale", text="对服务的总体评价", scale_low="很不满意", scale_high="很满意")
    add_question(client, survey_id, kind="text", text="还有什么建议？", required="")
    return survey_id


def question_ids(db, survey_id: int) -> list[int]:
    from portal.surveys.models import SurveyQuestion

    stmt = sa.select(SurveyQuestion.id).where(SurveyQuestion.survey_id == survey_id).order_by(SurveyQuestion.position)
    return list(db.session.scalars(stmt))


def answer(client, survey_id: int, qs: list[int], single="1", multiple=("1",), scale="4", suggestion=""):
    data = {f"q{qs[0]}": single, f"q{qs[1]}": list(multiple), f"q{qs[2]}": scale, f"q{qs[3]}": suggestion}
    return post(client, f"/surveys/{survey_id}", **data)


@pytest.fixture
def opened(app, db, world):
    office = client_for(app, OFFICE)
    survey_id = drafted(office)
    response = post(office, f"/staff/surveys/{survey_id}/open", f"/staff/surveys/{survey_id}")
    assert response.status_code == 302
    assert "已在站内消息里通知 1 位创业者" in text(office.get(f"/staff/surveys/{survey_id}"))
    return survey_id, question_ids(db, survey_id)


def test_the_office_opens_a_county_survey_an_entrepreneur_answers_and_an_outsider_gets_404(app, db, opened):
    survey_id, qs = opened
    entrepreneur = client_for(app, IN_COUNTY)
    assert "请您参加需求调查：镇平县返乡创业需求调查" in text(entrepreneur.get("/messages/"))
    listing = text(entrepreneur.get("/surveys/"))
    assert "镇平县返乡创业需求调查" in listing and "待回答" in listing
    page = entrepreneur.get(f"/surveys/{survey_id}")
    assert page.status_code == 200 and "最需要哪方面的支持？" in text(page) and "匿名调查" in text(page)
    done = answer(entrepreneur, survey_id, qs, suggestion="希望培训放在农闲时。")
    assert done.status_code == 302
    assert "您已于" in text(entrepreneur.get(f"/surveys/{survey_id}"))
    assert "已回答，谢谢您" in text(entrepreneur.get("/surveys/"))

    outsider = client_for(app, OUTSIDER)
    assert outsider.get(f"/surveys/{survey_id}").status_code == 404
    token = csrf_token(outsider, "/surveys/")
    assert outsider.post(f"/surveys/{survey_id}", data={"csrf_token": token, f"q{qs[0]}": "1"}).status_code == 404
    assert "镇平县返乡创业需求调查" not in text(outsider.get("/surveys/"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 1
    # staff of another county's unit do not see it either; the owner (the office) does
    assert client_for(app, XX_STAFF).get(f"/staff/surveys/{survey_id}/results").status_code == 404


def test_answering_twice_is_refused_with_a_message(app, db, opened):
    survey_id, qs = opened
    entrepreneur = client_for(app, IN_COUNTY)
    assert answer(entrepreneur, survey_id, qs).status_code == 302
    again = answer(entrepreneur, survey_id, qs, single="2")
    assert again.status_code == 400 and "您已经回答过这份调查了" in text(again)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 1
    # and the database itself refuses a second participant row, also for an anonymous survey
    from portal.db import utcnow

    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(SurveyParticipant(survey_id=survey_id, user_id=_id(db, IN_COUNTY), answered_on=utcnow().date()))
        db.session.flush()


def _id(db, phone: str) -> int:
    from portal.accounts.models import User

    return db.session.scalar(sa.select(User.id).where(User.phone == phone))


def test_bad_answers_get_clear_messages_and_keep_the_other_answers(app, db, opened):
    survey_id, qs = opened
    entrepreneur = client_for(app, IN_COUNTY)
    token = csrf_token(entrepreneur, f"/surveys/{survey_id}")
    data = {
        "csrf_token": token,
        f"q{qs[1]}": ["1", "2", "3"],  # three where two at most
        f"q{qs[2]}": "９",  # not 1–5 (full-width 9)
        f"q{qs[3]}": "很长" * 600,  # 1,200 characters
    }  # and the required single choice is missing
    page = entrepreneur.post(f"/surveys/{survey_id}", data=data)
    body = text(page)
    assert page.status_code == 400
    assert "请选择一项。" in body
    assert "最多只能选 2 项（您选了 3 项）" in body
    assert "请选择 1 到 5 中的一个。" in body
    assert "最多只能填 1000 个字（现在 1200 个）" in body
    assert "其他回答已为您保留" in body
    assert body.count("checked") == 3 and "很长很长" in body  # what was typed is still there
    # a NUL byte is refused before any view, with the portal's message, and nothing is stored
    nul = entrepreneur.post(f"/surveys/{survey_id}", data={**data, f"q{qs[3]}": "a\x00b"})
    assert nul.status_code == 400 and "控制字符" in text(nul)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 0
    # an unknown option number and two values for a single choice
    page = entrepreneur.post(f"/surveys/{survey_id}", data={"csrf_token": token, f"q{qs[0]}": ["1", "2"]})
    assert "这道题只能选一项。" in text(page)
    page = entrepreneur.post(f"/surveys/{survey_id}", data={"csrf_token": token, f"q{qs[0]}": "7"})
    assert "请从列出的选项里选择。" in text(page)


def test_a_closed_survey_refuses_answers_with_a_message(app, db, opened):
    survey_id, qs = opened
    entrepreneur = client_for(app, IN_COUNTY)
    token = csrf_token(entrepreneur, f"/surveys/{survey_id}")
    office = client_for(app, OFFICE)
    assert post(office, f"/staff/surveys/{survey_id}/close", f"/staff/surveys/{survey_id}").status_code == 302
    page = entrepreneur.post(f"/surveys/{survey_id}", data={"csrf_token": token, f"q{qs[0]}": "2", f"q{qs[3]}": "建议"})
    assert page.status_code == 400 and "结束，不能再提交回答" in text(page)
    assert "建议" in text(page)  # the answers are kept on the page
    assert "不能再回答" in text(entrepreneur.get(f"/surveys/{survey_id}"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 0


def _peers(app, db, phones: list[str]) -> list:
    clients = []
    for phone in phones:
        entrepreneur(app, db, phone, "同县创业者", "mentoring", "411324")
        clients.append(client_for(app, phone))
    return clients


def test_results_count_each_option_and_suppress_questions_under_five_answers(app, db, opened):
    survey_id, qs = opened
    office = client_for(app, OFFICE)
    answer(client_for(app, IN_COUNTY), survey_id, qs, suggestion="第一条建议")
    page = text(office.get(f"/staff/surveys/{survey_id}/results"))
    assert "共收到 1 份回答" in page
    assert page.count("不显示结果") == 4 and "第一条建议" not in page and "data:image/svg+xml" not in page

    for n, client in enumerate(_peers(app, db, PEERS[:4])):
        suggestion = '=HYPERLINK("http://x")' if n == 0 else ("多办培训" if n == 1 else "")
        assert answer(client, survey_id, qs, single="2" if n else "1", multiple=("1", "3"), scale="5",
                      suggestion=suggestion).status_code == 302  # fmt: skip
    page = text(office.get(f"/staff/surveys/{survey_id}/results"))
    assert "共收到 5 份回答" in page
    assert page.count("data:image/svg+xml") == 3  # the three choice questions have 5 answers: shown, with charts
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td><td class="num">(\d+)%</td>', page)
    assert ("资金", "2", "40") in rows and ("培训", "3", "60") in rows and ("场地", "0", "0") in rows
    assert ("微信", "5", "100") in rows and ("乡镇", "4", "80") in rows
    assert "平均 4.8 分" in page
    assert "不显示结果" in page and "多办培训" not in page  # the free text has 3 answers: still hidden

    late, later = _peers(app, db, PEERS[4:6])
    answer(late, survey_id, qs, suggestion="希望有电商培训")
    answer(later, survey_id, qs, suggestion="园区租金优惠")
    page = text(office.get(f"/staff/surveys/{survey_id}/results"))
    assert "多办培训" in page and "希望有电商培训" in page and "不显示结果" not in page

    export = office.get(f"/staff/surveys/{survey_id}/results.xlsx")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(export.data))
    free = [[c.value for c in row] for row in book.worksheets[1].iter_rows()]
    texts = {row[2] for row in free[1:]}
    assert {"第一条建议", "多办培训", "希望有电商培训", "园区租金优惠"} <= texts
    assert '\'=HYPERLINK("http://x")' in texts  # spreadsheet injection neutralised
    assert all(cell.data_type in ("s", "n") for row in book.worksheets[1].iter_rows() for cell in row)  # no formula
    counts = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    assert [1, "最需要哪方面的支持？", "资金", 4, "57%"] in counts and [
        1,
        "最需要哪方面的支持？",
        "培训",
        3,
        "43%",
    ] in counts
    # an unrelated unit's staff cannot export it
    assert client_for(app, ZP_STAFF).get(f"/staff/surveys/{survey_id}/results.xlsx").status_code == 404


def test_anonymous_answers_carry_no_link_to_the_person(app, db, opened):
    survey_id, qs = opened
    answer(client_for(app, IN_COUNTY), survey_id, qs, suggestion="只有我知道的建议")
    for table in (SurveyResponse.__table__, SurveyAnswer.__table__):
        assert not {c.name for c in table.columns} & {"user_id", "created_at", "updated_at", "answered_at"}
        assert not any(fk.column.table.name == "user_account" for fk in table.foreign_keys)
    participant = db.session.scalars(sa.select(SurveyParticipant)).one()
    assert participant.response_id is None and participant.user_id == _id(db, IN_COUNTY)
    response = db.session.scalars(sa.select(SurveyResponse)).one()
    assert re.fullmatch(r"[0-9a-f]{32}", response.id)  # a random key, not a sequence to match against
    from portal.audit import AuditLog

    audits = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "survey.answer")).all()
    assert len(audits) == 1 and response.id not in str(audits[0].after) and "只有我知道" not in str(audits[0].after)


def test_a_named_survey_shows_the_person_masked(app, db, world):
    zp = client_for(app, ZP_STAFF)
    survey_id = create_survey(zp, anonymity="named", audience="type:training")
    add_question(zp, survey_id, kind="text", text="想学什么？")
    post(zp, f"/staff/surveys/{survey_id}/open", f"/staff/surveys/{survey_id}")
    q = question_ids(db, survey_id)[0]
    for phone in [IN_COUNTY, OUTSIDER, *PEERS[:3]]:
        if phone in PEERS:
            entrepreneur(app, db, phone, "赵培训", "training", "411330")
        client = client_for(app, phone)
        assert post(client, f"/surveys/{survey_id}", **{f"q{q}": f"电商{phone[-2:]}"}).status_code == 302
    page = text(zp.get(f"/staff/surveys/{survey_id}/results"))
    assert "陈** 135****0010" in page and "13511110010" not in page
    participant = db.session.get(SurveyParticipant, (survey_id, _id(db, IN_COUNTY)))
    assert participant.response_id is not None
    # the office may read it; another county's staff may not
    assert client_for(app, OFFICE).get(f"/staff/surveys/{survey_id}").status_code == 200
    assert client_for(app, XX_STAFF).get(f"/staff/surveys/{survey_id}").status_code == 404


def test_questions_cannot_change_once_answers_exist(app, db, opened):
    survey_id, qs = opened
    office = client_for(app, OFFICE)
    answer(client_for(app, IN_COUNTY), survey_id, qs)
    url = f"/staff/surveys/{survey_id}/questions/{qs[0]}/edit"
    page = post(office, url, kind="single", text="改过的问题", options="甲\n乙", required="y")
    assert page.status_code == 400 and "问题和设置不能再改" in text(page)
    post(office, f"/staff/surveys/{survey_id}/questions/{qs[0]}/delete", f"/staff/surveys/{survey_id}")
    assert len(question_ids(db, survey_id)) == 4


def test_the_survey_form_says_what_is_wrong(app, db, world):
    office = client_for(app, OFFICE)
    page = post(office, "/staff/surveys/new", title="", purpose="x", audience="county:nowhere", anonymity="named",
                opens_on="2021-02-30", closes_on=(today() - timedelta(days=1)).isoformat())  # fmt: skip
    body = text(page)
    assert page.status_code == 400
    assert "请从列表里选择调查对象。" in body and "请按 年-月-日 填写开始日期" in body and "截止日期已经过了" in body
    survey_id = create_survey(office)
    url = f"/staff/surveys/{survey_id}/questions/new"
    body = text(post(office, url, kind="multiple", text="选哪些？", options="只有一个", max_choices="5"))
    assert "请填 2 到 12 个选项" in body
    body = text(post(office, url, kind="scale", text="打几分？", scale_low="", scale_high="好"))
    assert "这一项必须填写。" in body
    # opening without questions is refused
    post(office, f"/staff/surveys/{survey_id}/open", f"/staff/surveys/{survey_id}")
    assert "请先添加至少一道题" in text(office.get(f"/staff/surveys/{survey_id}"))


def test_a_registered_audience_reaches_its_members(app, db, world):
    from portal.surveys import audiences

    audiences.register("pilot", "试点名单", lambda _param: [world["outside"]])
    try:
        office = client_for(app, OFFICE)
        survey_id = create_survey(office, audience="pilot")
        add_question(office, survey_id, kind="single", text="参加吗？", options="参加\n不参加")
        post(office, f"/staff/surveys/{survey_id}/open", f"/staff/surveys/{survey_id}")
        assert client_for(app, OUTSIDER).get(f"/surveys/{survey_id}").status_code == 200
        assert client_for(app, IN_COUNTY).get(f"/surveys/{survey_id}").status_code == 404
    finally:
        audiences._AUDIENCES.pop("pilot", None)


def test_the_english_pages_are_translated(app, db, opened):
    survey_id, _qs = opened
    client = client_for(app, IN_COUNTY, lang="en")
    body = text(client.get(f"/surveys/{survey_id}"))
    assert "Anonymous survey" in body and "Submit" in body
    assert "Needs surveys" in text(client_for(app, OFFICE, lang="en").get("/staff/surveys"))


def test_the_demo_makes_an_open_survey_with_demo_answers(app, db):
    from portal.surveys.demo import make_demo

    with app.test_request_context():
        assert make_demo() == 2
        assert make_demo() == 0
        responses = db.session.scalars(sa.select(SurveyResponse)).all()
        assert len(responses) == 12 and all(r.demo for r in responses)


def test_a_draft_s_questions_move_and_go(app, db, world):
    office = client_for(app, OFFICE)
    survey_id = drafted(office)
    first, second, *_rest = question_ids(db, survey_id)
    post(office, f"/staff/surveys/{survey_id}/questions/{first}/move", f"/staff/surveys/{survey_id}", direction="down")
    assert question_ids(db, survey_id)[:2] == [second, first]
    post(office, f"/staff/surveys/{survey_id}/questions/{second}/delete", f"/staff/surveys/{survey_id}")
    assert question_ids(db, survey_id)[0] == first and len(question_ids(db, survey_id)) == 3
    from portal.audit import AuditLog

    actions = set(db.session.scalars(sa.select(AuditLog.action).where(AuditLog.object_type == "survey")))
    assert {"survey.create", "survey.question_add", "survey.question_move", "survey.question_delete"} <= actions


def test_close_due_closes_surveys_past_their_last_day(app, db, opened):
    survey_id, _qs = opened
    from portal.surveys.models import Survey

    db.session.execute(
        sa.update(Survey).values(opens_on=today() - timedelta(days=9), closes_on=today() - timedelta(days=1))
    )
    db.session.commit()
    assert "不能再回答" in text(client_for(app, IN_COUNTY).get(f"/surveys/{survey_id}"))
    result = app.test_cli_runner().invoke(args=["surveys", "close-due"])
    assert "surveys closed: 1" in result.output
    assert db.session.get(Survey, survey_id).status == "closed"
