"""The staff queue as a spreadsheet (CSV for any tool, XLSX for Excel), with personal data masked unless the
user holds the full-personal-data permission. Every export is audited."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import to_user_timezone

from portal import audit
from portal.accounts.grants import may_see_full_data
from portal.applications import states
from portal.catalog import vocab as catalog_vocab
from portal.core import spreadsheet
from portal.core.crypto import mask_id_number, mask_phone
from portal.queues import queries

HEADER = [
    "申请编号",
    "类型",
    "状态",
    "角色",
    "县区",
    "申请人",
    "身份证号",
    "联系电话",
    "金额（万元）",
    "提交时间（北京时间）",
    "办理期限",
    "经办人",
]
FORMATS = {"csv": spreadsheet.CSV_MIMETYPE, "xlsx": spreadsheet.XLSX_MIMETYPE}


def local_time(moment) -> str:
    """A stored (timezone-aware, UTC) time as people in Nanyang read it: Asia/Shanghai, like the pages."""
    return to_user_timezone(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def rows(user, unit_id: int | None, filters: queries.Filters) -> Iterator[list[str]]:
    cursor = None
    full = may_see_full_data(user)
    while True:
        page = queries.queue_page(unit_id, filters, user, cursor=cursor, per_page=500, with_counts=False)
        for item in page.items:
            application = item.application
            yield [
                application.tracking_no or "",
                str(catalog_vocab.APPLICATION_TYPES.get(item.app_type, item.app_type)),
                str(states.STATES.get(item.app_state, item.app_state)),
                "牵头" if item.role == "lead" else "会同",
                application.county.name if application.county else "",
                application.applicant_name or "",
                application.id_number if full else mask_id_number(application.id_number),
                application.phone if full else mask_phone(application.phone),
                str(application.amount_wan or ""),
                local_time(application.submitted_at),
                item.due_date.isoformat(),
                item.claimed_by.name if item.claimed_by else "",
            ]
        if not page.next_cursor:
            break
        cursor = page.next_cursor


def export(user, unit_id: int | None, filters: queries.Filters, fmt: str) -> tuple[bytes, str]:
    """(file bytes, MIME type) of the filtered queue; the export is audited as a read of personal data."""
    table = list(rows(user, unit_id, filters))
    audit.record_read(
        user,
        "queue.export",
        "unit",
        user.unit_id or "all",
        after={"rows": len(table), "format": fmt, "full": may_see_full_data(user)},
    )
    # Cells an applicant typed (names) could start with "=" or "@": the writer neutralises formulas.
    if fmt == "csv":
        return spreadsheet.csv_bytes(HEADER, table), FORMATS[fmt]
    return spreadsheet.xlsx_bytes(HEADER, table, sheet="queue"), FORMATS[fmt]
