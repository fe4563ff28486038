"""Exports neutralise formula injection (OWASP): no cell an applicant typed runs as a formula in CSV or XLSX."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.applications.models import Application
from portal.core.spreadsheet import csv_bytes, safe_cell, xlsx_bytes
from portal.extensions import limiter
from tests.helpers import login, make_user, submit_application

HOSTILE = {
    "=": '=HYPERLINK("http://evil.example/","点我")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}


def _csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff"), "a byte-order mark, so that Excel reads UTF-8"
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@pytest.mark.parametrize("lead", HOSTILE)
def test_each_leading_character_is_neutralised_in_csv(lead):
    value = HOSTILE[lead]
    rows = _csv_rows(csv_bytes(["姓名", "备注"], [[value, "正常文字"]]))
    assert rows[1] == ["'" + value, "正常文字"]


@pytest.mark.parametrize("lead", HOSTILE)
def test_each_leading_character_is_neutralised_in_xlsx(lead):
    value = HOSTILE[lead]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["姓名", "备注"], [[value, "正常文字"]], sheet="队列"))).active
    cell = sheet.cell(row=2, column=1)
    assert cell.data_type == "s", "a string, not a formula"
    assert cell.value == ("'" + value).replace("\r", "\n")  # XML reads a stored CR back as LF
    assert sheet.cell(row=2, column=2).value == "正常文字"
    assert sheet.title == "队列"


def test_ordinary_values_are_left_as_they_are():
    assert safe_cell("陈返乡") == "陈返乡" and safe_cell("NY-2026-DB-000001") == "NY-2026-DB-000001"
    assert safe_cell(None) == "" and safe_cell(-5) == -5 and safe_cell(Decimal("-1.5")) == Decimal("-1.5")
    assert safe_cell("a=b") == "a=b" and safe_cell("134****0001") == "134****0001"
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["n"], [[-5], ["x\x01y"]]))).active
    assert sheet.cell(row=2, column=1).value == -5 and sheet.cell(row=2, column=1).data_type == "n"
    assert sheet.cell(row=3, column=1).value == "xy", "control characters XLSX cannot hold are dropped"


@pytest.mark.parametrize("name", ['=HYPERLINK("http://e.cn","点")', "@SUM(1+1)"])
def test_the_staff_queue_export_neutralises_an_applicants_formula(app, db, name):
    limiter.reset()
    applicant = make_user(db, phone="13411119001", name="陈返乡")
    make_user(db, role="staff", phone="13411119002", name="镇平经办", unit_code="411324-hrss", unit_lead=True)
    application_id = submit_application(app, db, applicant, "loan", county="411324")
    # the form refuses such a name (person_name_check); a record written before that check, or by another path,
    # may still hold one: the export must neutralise it all the same
    db.session.execute(sa.update(Application).where(Application.id == application_id).values(applicant_name=name))
    db.session.commit()
    staff = app.test_client()
    login(staff, "13411119002", "good-pass-2026")

    rows = _csv_rows(staff.get("/staff/queue/export.csv").data)
    assert rows[0][5] == "申请人"
    assert [row[5] for row in rows[1:]] == ["'" + name]

    sheet = load_workbook(io.BytesIO(staff.get("/staff/queue/export.xlsx").data)).active
    cell = sheet.cell(row=2, column=6)
    assert cell.data_type == "s" and cell.value == "'" + name
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row), "no formula anywhere"
