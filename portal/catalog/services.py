"""Queries over the catalog: filtered lists, single items and their open-data form."""

from __future__ import annotations

from functools import partial
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from portal.catalog import vocab
from portal.catalog.models import County, IncubationBase, Mentor, MentorExpertise, Park, Project, Unit
from portal.core.i18n import local_name
from portal.core.listing import Filter, Listing
from portal.errors import NotFound
from portal.extensions import db


def all_counties(include_zones: bool = True) -> list[County]:
    stmt = sa.select(County).order_by(County.sort, County.code)
    if not include_zones:
        stmt = stmt.where(County.kind != "zone")
    return list(db.session.scalars(stmt))


def find_county(value: str) -> County | None:
    """A county by its Chinese name, code or English name."""
    value = value.strip()
    return db.session.scalar(
        sa.select(County).where(sa.or_(County.name == value, County.code == value, County.name_en == value))
    )


def _county_choices() -> list[tuple[str, str]]:
    return [(c.name, local_name(c)) for c in all_counties()]


def _vocab_filter(name: str, table: dict, column: Any, label: Any, aliases: tuple = ()) -> Filter:
    def apply(stmt, value):
        return stmt.where(column == value)

    return Filter(
        name=name,
        aliases=aliases,
        label=label,
        choices=lambda: [(code, str(text)) for code, text in table.items()],
        resolve=lambda raw: raw if raw in table else _reverse(table, raw),
        apply=apply,
    )


def _reverse(table: dict, raw: str) -> str | None:
    """Accept a label (e.g. 星创天地) as well as a code (star)."""
    for code, text in table.items():
        if str(text) == raw:
            return code
    return None


def county_filter(model: type) -> Filter:
    return Filter(
        name="county",
        label=_l("县区"),
        choices=_county_choices,
        resolve=find_county,
        apply=lambda stmt, county: stmt.where(model.county_id == county.id),
    )


def _mentor_county_apply(stmt, county: County):
    served = sa.select(sa.literal(1)).where(
        Mentor.counties.property.secondary.c.mentor_id == Mentor.id,
        Mentor.counties.property.secondary.c.county_id == county.id,
    )
    return stmt.where(sa.or_(Mentor.citywide.is_(True), served.exists()))


def _mentor_expertise_apply(stmt, code: str):
    return stmt.where(
        sa.select(MentorExpertise.mentor_id)
        .where(MentorExpertise.mentor_id == Mentor.id, MentorExpertise.code == code)
        .exists()
    )


YES_NO = {"yes": _l("接受乡村行预约"), "no": _l("暂不接受预约")}

LISTINGS: dict[str, Listing] = {
    "counties": Listing(
        kind="counties",
        model=County,
        filters=[_vocab_filter("kind", vocab.COUNTY_KINDS, County.kind, _l("类别"), aliases=("type",))],
        order_by=lambda: [County.sort, County.code],
    ),
    "units": Listing(
        kind="units",
        model=Unit,
        filters=[
            county_filter(Unit),
            _vocab_filter("level", vocab.UNIT_LEVELS, Unit.level, _l("层级")),
            _vocab_filter("dept", vocab.DEPTS, Unit.dept, _l("部门"), aliases=("type",)),
        ],
        order_by=lambda: [Unit.level.desc(), Unit.code],
        options=lambda: [selectinload(Unit.county)],
    ),
    "bases": Listing(
        kind="bases",
        model=IncubationBase,
        where=lambda: [IncubationBase.visible.is_(True)],
        filters=[
            county_filter(IncubationBase),
            _vocab_filter("type", vocab.BASE_TYPES, IncubationBase.type, _l("类型")),
            _vocab_filter("level", vocab.LEVELS, IncubationBase.level, _l("级别")),
        ],
        order_by=lambda: [IncubationBase.sample, IncubationBase.name],
        options=lambda: [selectinload(IncubationBase.county)],
    ),
    "parks": Listing(
        kind="parks",
        model=Park,
        where=lambda: [Park.visible.is_(True)],
        filters=[
            county_filter(Park),
            _vocab_filter("industry", vocab.INDUSTRIES, Park.industry, _l("产业"), aliases=("type",)),
            _vocab_filter("level", vocab.LEVELS, Park.level, _l("级别")),
        ],
        order_by=lambda: [Park.sample, Park.year.desc(), Park.name],
        options=lambda: [selectinload(Park.county)],
    ),
    "projects": Listing(
        kind="projects",
        model=Project,
        where=lambda: [Project.visible.is_(True)],
        filters=[
            county_filter(Project),
            _vocab_filter("industry", vocab.INDUSTRIES, Project.industry, _l("产业"), aliases=("type",)),
            _vocab_filter("level", vocab.LEVELS, Project.level, _l("级别")),
        ],
        order_by=lambda: [Project.sample, Project.year.desc(), Project.name],
        options=lambda: [selectinload(Project.county), selectinload(Project.park)],
    ),
    "mentors": Listing(
        kind="mentors",
        model=Mentor,
        where=lambda: [Mentor.visible.is_(True)],
        filters=[
            Filter(
                name="county",
                label=_l("服务县区"),
                choices=_county_choices,
                resolve=find_county,
                apply=_mentor_county_apply,
            ),
            Filter(
                name="expertise",
                aliases=("type",),
                label=_l("擅长领域"),
                choices=lambda: [(code, str(text)) for code, text in vocab.EXPERTISE.items()],
                resolve=lambda raw: raw if raw in vocab.EXPERTISE else _reverse(vocab.EXPERTISE, raw),
                apply=_mentor_expertise_apply,
            ),
            Filter(
                name="visits",
                label=_l("乡村行"),
                choices=lambda: [(code, str(text)) for code, text in YES_NO.items()],
                resolve=lambda raw: {"yes": True, "no": False, "true": True, "false": False}.get(raw.lower()),
                apply=lambda stmt, value: stmt.where(Mentor.accepts_visits.is_(value)),
            ),
        ],
        order_by=lambda: [Mentor.name, Mentor.slug],
        options=lambda: [selectinload(Mentor.counties), selectinload(Mentor.expertise_rows)],
    ),
}

MODELS = {"bases": IncubationBase, "parks": Park, "projects": Project, "mentors": Mentor}


def get_item(kind: str, key: str):
    listing = LISTINGS[kind]
    model = listing.model
    column = model.code if kind in {"counties", "units"} else model.slug
    obj = db.session.scalar(sa.select(model).where(column == key, *listing.where()).options(*listing.options()))
    if obj is None:
        raise NotFound()
    return obj


def counts() -> dict[str, int]:
    from portal.policies.models import Policy

    result = {}
    for kind, model in (*MODELS.items(), ("policies", Policy)):
        result[kind] = db.session.scalar(sa.select(sa.func.count()).where(model.visible.is_(True))) or 0
    return result


def places() -> tuple[list[Park], list[IncubationBase]]:
    """The published parks and bases, for the place lists of the visit and event forms (an unpublished one is not
    offered: a mentor could otherwise book a visit to a park the public can no longer see)."""
    parks = db.session.scalars(
        sa.select(Park).where(Park.visible).options(selectinload(Park.county)).order_by(Park.name)
    ).all()
    bases = db.session.scalars(
        sa.select(IncubationBase)
        .where(IncubationBase.visible)
        .options(selectinload(IncubationBase.county))
        .order_by(IncubationBase.name)
    ).all()
    return list(parks), list(bases)


def projects_in_park(park: Park) -> list[Project]:
    stmt = sa.select(Project).where(Project.park_id == park.id, Project.visible.is_(True))
    return list(db.session.scalars(stmt.order_by(Project.name)))


def bases_in_county(county_id: int, exclude_id: int | None = None, limit: int = 4) -> list[IncubationBase]:
    stmt = sa.select(IncubationBase).where(IncubationBase.county_id == county_id, IncubationBase.visible.is_(True))
    if exclude_id:
        stmt = stmt.where(IncubationBase.id != exclude_id)
    return list(db.session.scalars(stmt.order_by(IncubationBase.name).limit(limit)))


# ---------------------------------------------------------------- open-data form


def _county_ref(county: County | None) -> dict | None:
    return {"code": county.code, "name": county.name, "name_en": county.name_en} if county else None


def _num(value) -> float | None:
    return float(value) if value is not None else None


def _common(obj, kind: str, url_for) -> dict:
    return {
        "slug": obj.slug,
        "name": obj.name,
        "url": url_for(f"catalog.{kind}_detail" if kind != "policies" else "policies.detail", slug=obj.slug),
        "sample": obj.sample,
        "source": obj.source,
        "tags": obj.tags or [],
        "updated_at": obj.updated_at.isoformat() if obj.updated_at else None,
    }


def to_dict(kind: str, obj, url_for) -> dict[str, Any]:
    label = partial(vocab.label)
    if kind == "counties":
        return {
            "code": obj.code,
            "name": obj.name,
            "name_en": obj.name_en,
            "kind": obj.kind,
            "kind_label": label(vocab.COUNTY_KINDS, obj.kind),
        }
    if kind == "units":
        return {
            "code": obj.code,
            "name": obj.name,
            "short_name": obj.short_name,
            "name_en": obj.name_en,
            "level": obj.level,
            "dept": obj.dept,
            "county": _county_ref(obj.county),
            "duties": obj.duties or [],
            "address": obj.address,
            "phone": obj.phone,
            "sample": obj.sample,
            "source": obj.source,
        }
    data = _common(obj, kind, url_for)
    if kind == "bases":
        data.update(
            type=obj.type,
            type_label=label(vocab.BASE_TYPES, obj.type),
            level=obj.level,
            level_label=label(vocab.LEVELS, obj.level),
            county=_county_ref(obj.county),
            address=obj.address,
            operator=obj.operator,
            services=obj.services or [],
            capacity=obj.capacity,
            contact=obj.contact,
            phone=obj.phone,
            coordinates=({"lat": _num(obj.lat), "lng": _num(obj.lng)} if obj.lat is not None else None),
            year=obj.year,
            description=obj.description,
        )
    elif kind in {"parks", "projects"}:
        data.update(
            industry=obj.industry,
            industry_label=label(vocab.INDUSTRIES, obj.industry),
            level=obj.level,
            level_label=label(vocab.LEVELS, obj.level),
            county=_county_ref(obj.county),
            year=obj.year,
            description=obj.description,
        )
        if kind == "parks":
            data.update(address=obj.address, area_mu=obj.area_mu, enterprises=obj.enterprises, jobs=obj.jobs)
        else:
            data.update(
                company=obj.company,
                park=obj.park.slug if obj.park else None,
                investment_wan=_num(obj.investment_wan),
                jobs=obj.jobs,
            )
    elif kind == "mentors":
        data.update(
            title=obj.title,
            organisation=obj.organisation,
            expertise=obj.expertise,
            expertise_labels=[label(vocab.EXPERTISE, c) for c in obj.expertise],
            citywide=obj.citywide,
            counties=[_county_ref(c) for c in obj.counties],
            accepts_visits=obj.accepts_visits,
            bio=obj.description,
        )
    return data
