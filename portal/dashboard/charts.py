"""Charts as server-rendered SVG (pygal, with its JavaScript off so the strict Content-Security-Policy holds).

Each chart is returned as a `data:` URI for an <img> with a text alternative; the page always shows the same
numbers in a table beside it, so a screen reader, a printer and a phone all get the figures.
"""

from __future__ import annotations

import base64
from decimal import Decimal

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from portal.core.i18n import month_label

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#b3261e", "#1d5fa8", "#4d7c0f", "#7c3aed"),
    font_family="'Noto Sans CJK SC','WenQuanYi Zen Hei','Microsoft YaHei',sans-serif",
    label_font_size=15,
    major_label_font_size=15,
    legend_font_size=15,
    title_font_size=16,
    value_font_size=13,
)

CONFIG = dict(
    style=STYLE,
    js=[],  # no script: the SVG is an image, and the page's CSP allows no inline script anyway
    disable_xml_declaration=False,
    width=480,
    height=300,
    legend_at_bottom=True,
    legend_at_bottom_columns=2,
    print_values=False,
    show_y_guides=True,
    explicit_size=False,
    truncate_legend=-1,
)


def _config(**overrides) -> dict:
    """CONFIG, with what a chart with no figures says in the reader's language (pygal's own is English)."""
    return {**CONFIG, "no_data_text": str(_("暂无数据")), **overrides}


def _uri(chart) -> str:
    svg = chart.render()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _num(value: Decimal) -> float:
    return float(value)


def cumulative(title: str, months: list[Decimal], offline: list[Decimal], target: Decimal | None, until: int) -> str:
    """The running total month by month beside the even pace to the target."""
    chart = pygal.Line(title=title, **_config(), show_dots=True, dots_size=3)
    chart.x_labels = [month_label(m) for m in range(1, 13)]
    total, running = Decimal(0), []
    for m in range(12):
        total += months[m] + offline[m]
        running.append(_num(total) if m < until else None)
    chart.add(_("累计完成"), running)
    if target:
        chart.add(_("按目标均衡进度"), [_num(target * (m + 1) / 12) for m in range(12)])
    return _uri(chart)


def _horizontal(title: str, rows: list[tuple[str, float | None]]):
    """Horizontal bars, first row at the top, with room for the labels (pygal measures text as if it were Latin:
    a Chinese character is about twice as wide as it assumes)."""
    wide = max((sum(1 for ch in name if ord(ch) > 0x2E80) for name, _v in rows), default=0)
    chart = pygal.HorizontalBar(
        title=title,
        **_config(height=max(320, 32 * len(rows) + 120), margin_left=10 + wide * 8, truncate_label=-1),
    )
    chart.x_labels = [name for name, _value in reversed(rows)]
    return chart, [value for _name, value in reversed(rows)]


def shares(title: str, rows: list[tuple[str, float | None]]) -> str:
    """Each county's share of its target, in per cent."""
    chart, values = _horizontal(title, rows)
    chart.add(_("完成目标的百分比"), [round(v * 100, 1) if v is not None else None for v in values])
    return _uri(chart)


def counts(title: str, rows: list[tuple[str, float | None]], series: str | None = None) -> str:
    """Horizontal bars of counts per row label (a suppressed count is drawn as no bar); `series` names what is
    counted (default 件数)."""
    chart, values = _horizontal(title, rows)
    chart.add(series or _("件数"), values)
    return _uri(chart)
