"""The whole dashboard as one XLSX workbook: progress, counties, months, off-line figures, units, work items."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.core.i18n import month_label
from portal.core.spreadsheet import xlsx_book
from portal.dashboard.queries import Board


def _pct(value: float | None) -> object:
    return round(value * 100, 1) if value is not None else ""


def _progress_rows(progress) -> list[list[object]]:
    return [
        [
            str(p.indicator.label),
            str(p.indicator.unit),
            p.goal.value if p.goal else "",
            p.counted,
            p.offline,
            p.total,
            _pct(p.share),
            _pct(p.expected),
            p.goal.source if p.goal else "",
        ]
        for p in progress
    ]


def board_xlsx(board: Board) -> bytes:
    progress_header = [
        _("指标"),
        _("单位"),
        _("目标"),
        _("平台统计"),
        _("线下报送"),
        _("合计"),
        _("完成目标%"),
        _("时间进度%"),
        _("目标依据"),
    ]
    county_rows = [[c.name, *row] for c, progress in board.counties for row in _progress_rows(progress)]
    month_header = [_("指标"), _("来源"), *[month_label(m) for m in range(1, 13)]]
    month_rows = []
    for p in board.progress:
        key = p.indicator.key
        month_rows.append([str(p.indicator.label), _("平台统计"), *board.months[key]])
        month_rows.append([str(p.indicator.label), _("线下报送"), *board.offline_months[key]])
    unit_rows = [
        [
            u.unit.name,
            u.open,
            u.overdue,
            u.decided,
            u.median_days if u.median_days is not None else "",
            u.second_requests,
        ]
        for u in board.units
    ]
    item_rows = [
        [w["number"], w["section"], w["title"], "、".join(w.get("units", [])), "、".join(w.get("counts", []))]
        for w in board.work_items
    ]
    scope = board.county.name if board.county else _("全市")
    note = [[_("年度"), board.year], [_("范围"), scope]] + ([[_("注意"), _("含演示数据")]] if board.demo else [])
    return xlsx_book(
        [
            (_("说明"), [_("项目"), _("内容")], note),
            (_("目标进度"), progress_header, _progress_rows(board.progress)),
            (_("分县区"), [_("县区"), *progress_header], county_rows),
            (_("月度"), month_header, month_rows),
            (
                _("单位办理"),
                [_("单位"), _("在办"), _("超期"), _("本年办结"), _("办结用时中位数（工作日）"), _("二次补正")],
                unit_rows,
            ),
            (_("工作要点"), [_("序号"), _("部分"), _("工作"), _("牵头单位"), _("平台统计")], item_rows),
        ]
    )
