"""The words of 好差评 (国办发〔2019〕51号): five levels, and the reasons a rater may tick."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LEVELS = {
    5: _l("非常满意"),
    4: _l("满意"),
    3: _l("基本满意"),
    2: _l("不满意"),
    1: _l("非常不满意"),
}
POOR = 2  # this level and below opens a follow-up (整改)

REASONS = {
    "fast": _l("办理快捷"),
    "clear": _l("一次告知清楚"),
    "polite": _l("工作人员态度好"),
    "slow": _l("办理超时"),
    "unclear": _l("告知不清、反复补正"),
    "attitude": _l("工作人员态度不好"),
    "result": _l("对办理结果有异议"),
    "other": _l("其他"),
}
