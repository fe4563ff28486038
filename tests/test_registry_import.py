"""返乡创业登记: a county's spreadsheet return (report before saving, all or only the valid rows), the counts the
dashboard reads, and the demo data."""

from __future__ import annotations

import io
import random
import re
import zipfile
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from stdnum.cn import uscc
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from portal.registry.imports import COLUMNS
from portal.registry.models import Registration, RegistrationImport
from tests.helpers import bad_check_digit, client_for, csrf_token, text, uscc_number

ZP = "13411110002"  # 镇平县人社局 staff of the `people` fixture
URL = "/staff/registrations/import"


def row(code: str, **changes) -> dict:
    values = {
        "姓名": "王返乡",
        "手机号": "13411110060",
        "经营主体名称": "镇平县玉雕工作室",
        "主体类型": "个体工商户",
        "统一社会信用代码": code,
        "注册号": "",
        "登记日期": datetime(2021, 4, 2),
        "县区": "镇平县",
        "乡镇（街道）": "石佛寺镇",
        "行业": "制造业",
        "带动就业人数": 3,
        "从哪里返乡": "从外省返乡",
        "返乡时间": "2020-12",
    }
    values.update(changes)
    return values


def xlsx(rows: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for values in rows:
        sheet.append([values.get(h) for h in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def codes(n: int) -> list[str]:
    return [uscc_number(f"92411324MA3X5B{i:02d}Q") for i in range(n)]


def upload(client, data: bytes, name: str = "return.xlsx"):
    """A multipart POST built in memory (the test client's own spools big bodies to a file it never closes)."""
    values = MultiDict({"csrf_token": csrf_token(client, URL), "file": FileStorage(io.BytesIO(data), filename=name)})
    boundary, body = encode_multipart(values)
    return client.post(URL, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(Registration.id)))


@pytest.fixture
def staff(app, people):
    return client_for(app, ZP)


def test_the_template_has_the_chinese_header(staff):
    response = staff.get(f"{URL}/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    assert [c.value for c in next(sheet.iter_rows())] == list(COLUMNS)


def test_a_clean_file_is_reported_before_anything_is_saved_then_imported_confirmed(app, db, staff):
    a, b = codes(2)
    response = upload(staff, xlsx([row(a), row(b, 手机号="", 带动就业人数=0)]))
    assert response.status_code == 302
    report = text(staff.get(response.headers["Location"]))
    assert "共 2 行，有效 2 行，有问题 0 行" in report and "还没有保存任何数据" in report
    assert count(db) == 0
    token = csrf_token(staff, response.headers["Location"])
    assert staff.post(response.headers["Location"], data={"csrf_token": token, "choice": "all"}).status_code == 302
    imported = db.session.scalars(sa.select(Registration).order_by(Registration.id)).all()
    assert [r.status for r in imported] == ["confirmed", "confirmed"]
    assert {r.source for r in imported} == {"import"} and imported[0].person_name == "王返乡"
    assert imported[0].unit.code == "411324-hrss" and imported[0].confirmed_at is not None
    again = staff.post(response.headers["Location"], data={"csrf_token": token, "choice": "all"})
    assert "已经导入过了" in text(again) and count(db) == 2


def test_nothing_is_saved_when_a_row_is_wrong_unless_the_valid_rows_are_chosen(app, db, staff):
    a, b, c = codes(3)
    rows = [
        row(a),
        row(bad_check_digit(b)),
        row(c, 登记日期="2021-02-30", 县区="西峡县"),
        row(c, 经营主体名称="第四行"),
    ]
    response = upload(staff, xlsx(rows))
    location = response.headers["Location"]
    report = text(staff.get(location))
    assert "共 4 行，有效 2 行，有问题 2 行" in report
    assert "全部导入" not in report and "只导入有效的 2 行" in report
    assert re.search(r"<td>3</td><td>统一社会信用代码</td><td>统一社会信用代码最后一位", report)
    assert "<td>4</td><td>登记日期</td><td>2021年2月没有30日" in report
    assert "<td>4</td><td>县区</td>" not in report  # the date is wrong, so the row went no further than its fields
    token = csrf_token(staff, location)
    refused = staff.post(location, data={"csrf_token": token, "choice": "all"})
    assert refused.status_code == 400 and count(db) == 0
    assert staff.post(location, data={"csrf_token": token, "choice": "valid"}).status_code == 302
    names = db.session.scalars(sa.select(Registration.business_name).order_by(Registration.id)).all()
    assert names == ["镇平县玉雕工作室", "第四行"]


def test_another_countys_rows_and_duplicates_in_the_file_and_the_register_are_reported(app, db, staff):
    a, b, c = codes(3)
    first = upload(staff, xlsx([row(a)]))
    token = csrf_token(staff, first.headers["Location"])
    staff.post(first.headers["Location"], data={"csrf_token": token, "choice": "all"})
    response = upload(staff, xlsx([row(a), row(b), row(b), row(c, 县区="西峡县")]))
    report = text(staff.get(response.headers["Location"]))
    assert "该统一社会信用代码已由镇平县登记" in report
    assert "与第 3 行的统一社会信用代码重复" in report
    assert "西峡县不归本单位" in report
    assert "王返乡" not in report.split("<table")[1]  # the report names rows and counties, never people


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"name,phone\n", "return.csv", "请上传 Excel 的 .xlsx 文件"),
        (b"PK\x03\x04garbage", "return.xlsx", "不是有效的 .xlsx 文件"),
        (b"PK\x03\x04" + b"\x00" * (2 * 1024 * 1024), "big.xlsx", "文件太大了"),
    ],
)
def test_what_is_no_xlsx_return_is_refused_with_a_message(db, staff, data, name, message):
    response = upload(staff, data, name)
    assert response.status_code == 400 and message in text(response)
    assert db.session.scalar(sa.select(sa.func.count(RegistrationImport.id))) == 0


def test_a_damaged_workbook_is_refused_with_a_message(db, staff):
    good = zipfile.ZipFile(io.BytesIO(xlsx([row(codes(1)[0])])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for name in good.namelist():
            part = good.read(name)
            damaged.writestr(name, b"<worksheet><sheetData><row><c>" if name.endswith("sheet1.xml") else part)
    response = upload(staff, out.getvalue())
    assert response.status_code == 400 and "不是有效的 .xlsx 文件" in text(response)


def test_a_sheet_without_the_header_or_rows_is_refused(staff):
    book = Workbook()
    book.active.append(["名字", "电话"])
    out = io.BytesIO()
    book.save(out)
    assert "缺少这些列" in text(upload(staff, out.getvalue()))
    assert "没有数据行" in text(upload(staff, xlsx([])))


def test_another_staff_member_cannot_see_or_use_the_pending_import(app, db, people, staff):
    response = upload(staff, xlsx([row(codes(1)[0])]))
    colleague = client_for(app, "13411110003")
    assert colleague.get(response.headers["Location"]).status_code == 404
    assert client_for(app, "13411110001").get(URL).status_code == 404


# ---------------------------------------------------------------- what the dashboard counts


def test_confirmed_counts_are_a_hand_count_by_registration_month(app, db, people):
    from portal.catalog.models import County
    from portal.db import writing
    from portal.registry import queries
    from portal.registry.models import Registration
    from portal.registry.states import REGISTRATION

    zp = db.session.scalar(sa.select(County).where(County.code == "411324"))
    dz = db.session.scalar(sa.select(County).where(County.code == "411381"))
    with app.test_request_context(), writing():
        unit = {c.id: queries.unit_for_county(c).id for c in (zp, dz)}

        def add(county, day: date, jobs: int, moves: tuple[str, ...], confirmed_at: datetime | None = None) -> None:
            code = uscc_number(f"91{county.code}MA{add.n:07d}")
            add.n += 1
            registration = Registration(
                business_name="x", form="enterprise", uscc=code, registered_on=day, county_id=county.id,
                township="镇", industry="other", jobs=jobs, returned_from="nanyang", returned_on=day.replace(day=1),
                unit_id=unit[county.id], status=REGISTRATION.initial,
            )  # fmt: skip
            db.session.add(registration)
            db.session.flush()
            for move in moves:
                REGISTRATION.apply(registration, move, None, values={"confirmed_at": confirmed_at})

        add.n = 0
        add(zp, date(2021, 3, 1), 5, ("confirm",))
        add(zp, date(2021, 3, 31), 2, ("confirm",))
        add(zp, date(2021, 4, 1), 1, ("confirm",))
        add(dz, date(2021, 3, 15), 10, ("confirm",))
        # registered in December 2021, confirmed in January 2022: counts for December 2021
        add(dz, date(2021, 12, 30), 4, ("confirm",), datetime(2022, 1, 5, tzinfo=UTC))
        add(zp, date(2021, 5, 5), 7, ("withdraw",))
        add(zp, date(2021, 5, 6), 8, ("reject",))
        add(zp, date(2021, 5, 7), 9, ("ask_proof",))
        add(zp, date(2021, 5, 8), 9, ())  # submitted, not yet confirmed
        add(zp, date(2020, 12, 31), 3, ("confirm",))
        add(zp, date(2022, 1, 1), 3, ("confirm",))
        got = queries.confirmed_counts(2021)
        assert sorted(got) == sorted([(zp.id, 3, 2, 7), (zp.id, 4, 1, 1), (dz.id, 3, 1, 10), (dz.id, 12, 1, 4)])
        assert queries.confirmed_counts(2022) == [(zp.id, 1, 1, 3)]
        assert queries.confirmed_counts(1999) == []
        assert queries.demo_rows_exist() is False


def test_make_demo_adds_confirmed_demo_rows_with_valid_usccs_deterministically(app, db):
    from portal.catalog.models import County
    from portal.db import writing
    from portal.registry import queries
    from portal.registry.demo import make_demo

    year = date.today().year - 1
    with app.test_request_context(), writing():
        counties = db.session.scalars(sa.select(County).order_by(County.code)).all()
        units = {c.id: queries.unit_for_county(c) for c in counties}
        made = make_demo(random.Random(7), year, counties, units, [])
        rows = db.session.scalars(sa.select(Registration).order_by(Registration.id)).all()
        assert made == len(rows) and 200 <= made <= 500
        assert all(r.demo and r.status == "confirmed" and uscc.is_valid(r.uscc) for r in rows)
        assert len({r.uscc for r in rows}) == made
        assert {r.registered_on.year for r in rows} == {year}
        counts = queries.confirmed_counts(year)
        assert sum(n for _c, _m, n, _j in counts) == made and len({m for _c, m, _n, _j in counts}) == 12
        assert queries.demo_rows_exist()
        first = [(r.uscc, r.registered_on, r.county_id) for r in rows]
        db.session.rollback()
        make_demo(random.Random(7), year, counties, units, [])
        again = db.session.scalars(sa.select(Registration).order_by(Registration.id)).all()
        assert [(r.uscc, r.registered_on, r.county_id) for r in again] == first
