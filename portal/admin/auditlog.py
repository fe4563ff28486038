"""The audit log as a CSV file: the filtered rows, newest first, capped; a capped file says so in its last row."""

from __future__ import annotations

import json

from flask_babel import gettext as _
from flask_babel import to_user_timezone

from portal.admin import queries
from portal.core import spreadsheet


def as_text(value) -> str:
    """A row's before/after as readable JSON (Chinese as is, not escaped)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


def csv_export(filters: queries.AuditFilters) -> tuple[bytes, int, bool]:
    """(CSV bytes with a BOM, number of rows, whether the cap cut it short)."""
    rows, capped = queries.audit_rows(filters)
    names = queries.actor_names(rows)
    header = [
        _("编号"),
        _("时间（北京时间）"),
        _("操作人编号"),
        _("操作人"),
        _("操作"),
        _("对象类型"),
        _("对象编号"),
        _("修改前"),
        _("修改后"),
    ]
    table = [
        [
            row.id,
            to_user_timezone(row.at).strftime("%Y-%m-%d %H:%M:%S"),
            row.actor_id or "",
            names.get(row.actor_id, ""),
            row.action,
            row.object_type,
            row.object_id,
            as_text(row.before),
            as_text(row.after),
        ]
        for row in rows
    ]
    if capped:
        table.append([_("只导出了最新的 %(n)s 条；请缩小筛选范围（例如日期）分几次导出。", n=queries.EXPORT_CAP)])
    return spreadsheet.csv_bytes(header, table), len(rows), capped
