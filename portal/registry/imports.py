"""A county's spreadsheet return (XLSX): the template, reading and checking every row, the report shown before
anything is saved, and the import of all rows (only when every one is right) or of the right ones only.

Between the report and the importer's choice the checked rows wait in `registration_import` (encrypted, for a
day), not in a server's memory or the session cookie: the next request may reach another app server.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import audit
from portal.accounts.models import User
from portal.core.access import require
from portal.core.crypto import keyed_hash
from portal.db import utcnow
from portal.errors import InvalidInput, InvalidTransition
from portal.extensions import db
from portal.registry import checks, operations, queries
from portal.registry.models import RegistrationImport
from portal.registry.vocab import FORMS, INDUSTRIES, RETURNED_FROM

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
KEEP = timedelta(hours=24)
# Column headers of the template (the Chinese text is the format: counties fill it in as is) -> field.
COLUMNS = {
    "姓名": "person_name",
    "手机号": "person_phone",
    "经营主体名称": "business_name",
    "主体类型": "form",
    "统一社会信用代码": "uscc",
    "注册号": "reg_no",
    "登记日期": "registered_on",
    "县区": "county",
    "乡镇（街道）": "township",
    "行业": "industry",
    "带动就业人数": "jobs",
    "从哪里返乡": "returned_from",
    "返乡时间": "returned_on",
}
FIELD_HEADERS = {field: header for header, field in COLUMNS.items()}


@dataclass
class Report:
    rows: list[dict]  # {"row": n, "values": {...}, "errors": {field: message}}

    @property
    def valid(self) -> list[dict]:
        return [r for r in self.rows if not r["errors"]]

    @property
    def invalid(self) -> list[dict]:
        return [r for r in self.rows if r["errors"]]


def template_bytes() -> bytes:
    """The empty return: the header row, and a sheet explaining each column and its allowed values."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "返乡创业登记"
    sheet.append(list(COLUMNS))
    notes = book.create_sheet("填写说明")
    notes.append(["列", "说明"])
    notes.append(["姓名", "必填"])
    notes.append(["手机号", "选填，11 位手机号；本人已在平台注册的，登记会出现在本人账号里"])
    notes.append(["主体类型", "、".join(_zh(FORMS))])
    notes.append(["统一社会信用代码", "18 位；个体工商户没有的可不填，改填注册号"])
    notes.append(["注册号", "15 位，只限个体工商户"])
    notes.append(["登记日期", "营业执照上的成立日期，如 2021-03-15"])
    notes.append(["县区", "如 镇平县（只能填本单位负责的县区）"])
    notes.append(["行业", "、".join(_zh(INDUSTRIES))])
    notes.append(["带动就业人数", "整数，没有填 0"])
    notes.append(["从哪里返乡", "、".join(_zh(RETURNED_FROM))])
    notes.append(["返乡时间", "年-月，如 2020-11"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zh(table: dict) -> list[str]:
    from flask_babel import force_locale

    with force_locale("zh_Hans_CN"):
        return [str(label) for label in table.values()]


def _cell(value: object) -> str:
    """A cell as the text a person would have typed: dates as 2021-03-15, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 10**17:
        return str(int(value))
    return str(value).strip()[:500]


def read_rows(data: bytes) -> list[tuple[int, dict]]:
    """(row number, {field: text}) for each non-empty row under the header; InvalidInput for what is no return."""
    if len(data) > MAX_BYTES:
        raise InvalidInput(_("文件太大了（最多 2 MB），请分成几个文件导入。"), field="file")
    if not data.startswith(b"PK\x03\x04"):
        raise InvalidInput(
            _("请上传 Excel 的 .xlsx 文件（不支持 .xls、.csv 或其他格式，可在 Excel 里“另存为”.xlsx）。")
        )
    from openpyxl import load_workbook

    # Whatever a damaged or hostile file makes the reader raise (bad zip, broken XML, missing parts) means the
    # same to the person: this is not a return we can read.
    unreadable = _("这个文件打不开，不是有效的 .xlsx 文件，请用模板重新填写。")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise InvalidInput(unreadable) from None
    try:
        return _rows_of(book.worksheets[0])
    except InvalidInput:
        raise
    except Exception:
        raise InvalidInput(unreadable) from None
    finally:
        book.close()


def _rows_of(sheet) -> list[tuple[int, dict]]:
    lines = sheet.iter_rows(values_only=True)
    header = next(lines, None) or ()
    fields = [COLUMNS.get(checks.normal(h).replace("*", "").replace("(", "（").replace(")", "）")) for h in header]
    missing = [h for h, f in COLUMNS.items() if f not in fields and f not in ("person_phone", "reg_no")]
    if missing:
        raise InvalidInput(_("第 1 行缺少这些列：%(cols)s。请使用下载的模板。", cols="、".join(missing)))
    rows = []
    for number, line in enumerate(lines, start=2):
        values = {f: _cell(v) for f, v in zip(fields, line, strict=False) if f}
        if any(values.values()):
            if len(rows) >= MAX_ROWS:
                raise InvalidInput(_("一次最多导入 %(n)s 行，请分成几个文件。", n=MAX_ROWS))
            rows.append((number, values))
    if not rows:
        raise InvalidInput(_("表里没有数据行（第 1 行是表头，从第 2 行开始填写）。"))
    return rows


def check_rows(staff: User, rows: list[tuple[int, dict]]) -> Report:
    """Each row with the form's rules, the unit's counties, and duplicates in the file and in the register."""
    counties, today = queries.counties_by_key(), operations.today()
    own_counties = {c.id for c in queries.counties_of_unit(staff.unit_id)}
    checked, first_row = [], {}
    for number, values in rows:
        errors: dict[str, str] = {}
        checks.person(values, errors, phone_required=False)
        entry, problems = checks.check(values, counties, today)
        errors.update(problems)
        if entry is not None and entry.county.id not in own_counties:
            errors["county"] = _("%(county)s不归本单位，只能导入本单位负责的县区。", county=entry.county.name)
        if entry is not None and entry.uscc:
            if entry.uscc in first_row:
                errors["uscc"] = _("与第 %(row)s 行的统一社会信用代码重复。", row=first_row[entry.uscc])
            else:
                first_row[entry.uscc] = number
        checked.append({"row": number, "values": values, "errors": errors, "uscc": entry.uscc if entry else None})
    held = queries.holders([r["uscc"] for r in checked if r["uscc"] and not r["errors"]])
    for row in checked:
        uscc = row.pop("uscc")
        if uscc in held and not row["errors"]:
            row["errors"]["uscc"] = operations.duplicate_message(held[uscc])
    return Report(checked)


def preview(staff: User, filename: str, data: bytes) -> RegistrationImport:
    """Read and check the file; keep the report for the importer's choice. Nothing is registered yet."""
    require(staff, "registration.enter")
    report = check_rows(staff, read_rows(data))
    db.session.execute(sa.delete(RegistrationImport).where(RegistrationImport.expires_at < utcnow()))
    pending = RegistrationImport(
        token=secrets.token_urlsafe(32),
        user_id=staff.id,
        unit_id=staff.unit_id,
        filename=(filename or "return.xlsx")[-255:],
        rows=report.rows,
        expires_at=utcnow() + KEEP,
    )
    db.session.add(pending)
    db.session.flush()
    audit.record(
        staff,
        "registration.import_preview",
        "registration_import",
        pending.id,
        after={"rows": len(report.rows), "invalid": len(report.invalid)},
    )
    return pending


def report_of(staff: User, token: str) -> tuple[RegistrationImport, Report]:
    pending = queries.pending_import(staff, token)
    return pending, Report(pending.rows or [])


def commit_import(staff: User, token: str, only_valid: bool) -> int:
    """Register the checked rows: all of them (only when every row is right) or, when chosen, the right ones.

    The rows are checked again (the register may have changed since the preview); if a row has meanwhile become
    wrong, nothing is imported and the importer is asked to upload the file again."""
    require(staff, "registration.enter")
    pending, report = report_of(staff, token)
    if pending.used_at is not None:
        raise InvalidTransition(_("这个文件已经导入过了。"))
    if pending.unit_id != staff.unit_id or operations.aware(pending.expires_at) < utcnow():
        raise InvalidTransition(_("这次上传已过期，请重新上传文件。"))
    if report.invalid and not only_valid:
        raise InvalidTransition(
            _("有 %(n)s 行不对，不能全部导入。请改正后重新上传，或选择只导入有效的行。", n=len(report.invalid))
        )
    rows = report.valid
    again = check_rows(staff, [(r["row"], r["values"]) for r in rows])
    if again.invalid:
        raise InvalidTransition(_("上传后登记册有了变化，有的行已不能导入。请重新上传文件查看报告。"))
    counties, today = queries.counties_by_key(), operations.today()
    for row in rows:
        _import_row(staff, row, counties, today)
    pending.used_at = utcnow()
    audit.record(staff, "registration.import", "registration_import", pending.id, after={"imported": len(rows)})
    return len(rows)


def _import_row(staff: User, row: dict, counties, today) -> None:
    from portal.registry.states import REGISTRATION

    values = row["values"]
    entry, _errors = checks.check(values, counties, today)
    name, phone = checks.person(values, {}, phone_required=False)
    owner = queries.account_for_phone(phone)
    registration = operations.create(
        entry,
        staff,
        source="import",
        entered_by_id=staff.id,
        owner_id=owner.id if owner else None,
        person_name=name,
        person_phone=phone,
        person_phone_hash=keyed_hash(phone) if phone else None,
    )
    # The county's own return: confirmed by the importing unit at once (audited, and the signal is sent).
    values = {"confirmed_at": utcnow(), "confirmed_by_id": staff.id, "decided_by_id": staff.id}
    REGISTRATION.apply(registration, "confirm", staff, values=values, audit_after={"source": "import"})
