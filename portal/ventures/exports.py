"""The recommendations to the fund as the spreadsheet a unit sends upward (推荐项目汇总表, XLSX): one row per
recommended project. The contact is masked unless the user holds the full-personal-data grant; every export is
audited; cells typed by entrepreneurs cannot run as formulas (`core.spreadsheet`)."""

from __future__ import annotations

from flask_babel import force_locale

from portal import audit
from portal.accounts.grants import may_see_full_data
from portal.catalog.vocab import INDUSTRIES, label
from portal.core import spreadsheet
from portal.core.crypto import mask_phone
from portal.ventures import queries
from portal.ventures.states import RECOMMENDATION
from portal.ventures.vocab import STAGES

# The form units fill in for the province is in Chinese whatever the page's language.
HEADER = ["序号", "项目名称", "所在县区", "行业", "阶段", "带动就业", "融资需求(万元)", "推荐单位", "推荐日期",
          "联系人", "状态"]  # fmt: skip


def mask_name(name: str | None) -> str:
    """王小明 -> 王**: the surname, enough to recognise, not to identify."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def rows(user, fund: str | None = None) -> list[list[object]]:
    full = may_see_full_data(user)
    table = []
    with force_locale("zh_Hans_CN"):
        for number, rec in enumerate(queries.recommendations(user, fund), start=1):
            v = rec.venture
            if full:
                contact = f"{v.contact_name} {v.contact_phone}"
            else:
                contact = f"{mask_name(v.contact_name)} {mask_phone(v.contact_phone)}"
            table.append([
                number,
                v.name,
                v.county.name,
                label(INDUSTRIES, v.industry),
                str(STAGES.get(v.stage, v.stage)),
                v.jobs_created,
                v.investment_wan if v.investment_wan is not None else "",
                rec.unit.name,
                rec.recommended_on.isoformat(),
                contact,
                RECOMMENDATION.label(rec.status),
            ])  # fmt: skip
    return table


def xlsx(user, fund: str | None = None) -> bytes:
    table = rows(user, fund)
    audit.record_read(
        user,
        "venture_recommendation.export",
        "unit",
        user.unit_id or "all",
        after={"rows": len(table), "full": may_see_full_data(user)},
    )
    return spreadsheet.xlsx_bytes(HEADER, table, sheet="推荐项目")
