"""Creating, editing and removing units. Codes follow content/units.yaml (`city-部门` or `区划代码-部门`); an edit
made on an older version is refused and the other person's values are shown (optimistic locking); a unit with
open items or active staff cannot be removed."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import audit
from portal.accounts.models import User
from portal.admin import queries
from portal.admin.errors import EditConflict, FieldErrors
from portal.catalog import vocab
from portal.catalog.models import County, Unit
from portal.content.models import get_rules
from portal.content.schema import UNIT_CODE_RE
from portal.core.access import require
from portal.db import utcnow
from portal.errors import InvalidTransition, NotFound
from portal.extensions import db

FIELDS = ("name", "short_name", "name_en", "level", "dept", "county", "parent", "phone", "address", "hours", "duties")


@dataclass
class UnitInput:
    code: str
    name: str
    short_name: str
    name_en: str
    level: str
    dept: str
    county: str
    parent: str
    phone: str
    address: str
    hours: str
    duties: list[str]


def work_items() -> list[dict]:
    """The work plan's items (content/work-items.yaml), the numbers a unit may lead."""
    return list(get_rules("work_items").get("items") or [])


def unit(actor: User, code: str) -> Unit:
    require(actor, "admin.manage")
    row = db.session.scalar(sa.select(Unit).where(Unit.code == code))
    if row is None:
        raise NotFound()
    return row


def snapshot(row: Unit) -> dict:
    """A unit's editable values as the form and the audit log show them."""
    return {
        "code": row.code,
        "name": row.name,
        "short_name": row.short_name,
        "name_en": row.name_en,
        "level": row.level,
        "dept": row.dept,
        "county": row.county.code if row.county else "",
        "parent": row.parent.code if row.parent else "",
        "phone": row.phone or "",
        "address": row.address or "",
        "hours": row.hours or "",
        "duties": [str(n) for n in row.duties or []],
        "version": row.version,
    }


def _check(data: UnitInput, current: Unit | None) -> dict:
    """The database values for `data`, or FieldErrors naming every problem at once."""
    problems: dict[str, str] = {}
    county = None
    if data.level not in vocab.UNIT_LEVELS:
        problems["level"] = _("请从列表里选择级别。")
    if data.dept not in vocab.DEPTS:
        problems["dept"] = _("请从列表里选择部门。")
    if data.level == "county":
        county = db.session.scalar(sa.select(County).where(County.code == data.county)) if data.county else None
        if county is None:
            problems["county"] = _("县级单位必须选择所在县区。")
    elif data.county:
        problems["county"] = _("市级单位不填所在县区。")
    if current is None:
        problems.update(_code_problems(data.code, data.level, county))
    parent = None
    if data.parent:
        parent = db.session.scalar(sa.select(Unit).where(Unit.code == data.parent))
        if parent is None:
            problems["parent"] = _("请从列表里选择上级单位。")
        elif current is not None and _is_below(parent, current):
            problems["parent"] = _("上级单位不能是它自己或它的下级单位。")
    numbers = {int(item["number"]) for item in work_items()}
    duties = sorted({int(d) for d in data.duties if d.isascii() and d.isdigit() and int(d) in numbers})
    if len(duties) != len(set(data.duties)):
        problems["duties"] = _("请从工作要点的事项里选择（第 1 到 14 项）。")
    if problems:
        raise FieldErrors(problems)
    return {
        "name": data.name.strip(),
        "short_name": data.short_name.strip(),
        "name_en": data.name_en.strip(),
        "level": data.level,
        "dept": data.dept,
        "county_id": county.id if county else None,
        "parent_id": parent.id if parent else None,
        "phone": data.phone.strip() or None,
        "address": data.address.strip() or None,
        "hours": data.hours.strip() or None,
        "duties": duties,
    }


def _code_problems(code: str, level: str, county: County | None) -> dict[str, str]:
    if not UNIT_CODE_RE.match(code):
        return {"code": _("单位代码应为 city-部门 或 区划代码-部门（小写英文字母），例如 city-hrss、411324-hrss。")}
    prefix = "city" if level == "city" else (county.code if county else None)
    if prefix and not code.startswith(prefix + "-"):
        return {"code": _("这个单位的代码应以 %(prefix)s- 开头。", prefix=prefix)}
    if db.session.scalar(sa.select(Unit.id).where(Unit.code == code)) is not None:
        return {"code": _("已有单位使用代码 %(code)s（代码不能重复使用）。", code=code)}
    return {}


def _is_below(candidate: Unit, unit: Unit) -> bool:
    """Whether `candidate` is `unit` itself or one of the units under it (a parent chain must not loop)."""
    seen = set()
    while candidate is not None and candidate.id not in seen:
        if candidate.id == unit.id:
            return True
        seen.add(candidate.id)
        candidate = candidate.parent
    return False


def create(actor: User, data: UnitInput) -> Unit:
    require(actor, "admin.manage")
    values = _check(data, None)
    row = Unit(code=data.code, sample=False, source=_("系统管理员录入"), changed_in_portal_at=utcnow(), **values)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "unit.create", "unit", row.code, after=snapshot(row))
    return row


def update(actor: User, code: str, data: UnitInput, version: int | None) -> Unit:
    """Save an edit made on `version`; if someone saved since, refuse and carry their values (EditConflict)."""
    row = unit(actor, code)
    values = _check(data, row)
    before = snapshot(row)
    result = db.session.execute(
        sa.update(Unit)
        .where(Unit.id == row.id, Unit.version == (version if version is not None else -1))
        .values(**values, version=Unit.version + 1, changed_in_portal_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(row)
    if result.rowcount != 1:
        raise EditConflict(
            _("别人在您打开这一页之后修改了这个单位，您的修改没有保存。下面是现在保存的内容，请核对后再改。"),
            snapshot(row),
        )
    audit.record(actor, "unit.update", "unit", row.code, before=before, after=snapshot(row))
    return row


def remove(actor: User, code: str) -> str:
    """Delete a unit nothing depends on; a unit with open items or active staff is refused with the counts."""
    row = unit(actor, code)
    open_items, staff = queries.open_items(row.id), queries.active_staff(row.id)
    if open_items or staff:
        raise InvalidTransition(
            _(
                "%(name)s还有 %(items)s 件在办事项、%(staff)s 名在岗工作人员，不能删除。",
                name=row.name,
                items=open_items,
                staff=staff,
            )
        )
    if _referenced(row.id):
        raise InvalidTransition(_("%(name)s有历史办件、账号、下级单位或其他记录引用，不能删除。", name=row.name))
    before = snapshot(row)
    db.session.delete(row)
    audit.record(actor, "unit.delete", "unit", code, before=before)
    return before["name"]


def _referenced(unit_id: int) -> bool:
    """Whether any row of any table points at this unit (history must keep its unit)."""
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "unit" and fk.column.name == "id":
                count = db.session.scalar(sa.select(sa.func.count()).select_from(table).where(fk.parent == unit_id))
                if count:
                    return True
    return False
