"""Queries over policy guides, and safe rendering of their Markdown bodies."""

from __future__ import annotations

from functools import lru_cache

import nh3
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt

from portal.catalog import vocab
from portal.catalog.services import _reverse, _vocab_filter
from portal.core.listing import Filter, Listing
from portal.errors import NotFound
from portal.extensions import db
from portal.policies.models import Policy

LISTING = Listing(
    kind="policies",
    model=Policy,
    where=lambda: [Policy.visible.is_(True)],
    filters=[
        _vocab_filter("category", vocab.POLICY_CATEGORIES, Policy.category, _l("类别"), aliases=("type",)),
        Filter(
            name="apply",
            label=_l("可在线申请"),
            choices=lambda: [(code, str(text)) for code, text in vocab.APPLICATION_TYPES.items()],
            resolve=lambda raw: raw if raw in vocab.APPLICATION_TYPES else _reverse(vocab.APPLICATION_TYPES, raw),
            apply=lambda stmt, value: stmt.where(Policy.application_type == value),
        ),
    ],
    order_by=lambda: [Policy.sample, Policy.issued.desc(), Policy.slug],
)

# html=False: raw HTML in a guide is shown as text; nh3 then removes anything unsafe that remains.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
_ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "br",
}


@lru_cache(maxsize=256)
def render_markdown(text: str) -> str:
    html = _markdown.render(text)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


def latest(limit: int = 5) -> list[Policy]:
    return list(
        db.session.scalars(
            sa.select(Policy).where(Policy.visible.is_(True)).order_by(Policy.issued.desc(), Policy.slug).limit(limit)
        )
    )


def for_application_type(app_type: str) -> list[Policy]:
    stmt = (
        sa.select(Policy)
        .where(Policy.application_type == app_type, Policy.visible.is_(True))
        .order_by(Policy.issued.desc())
    )
    return list(db.session.scalars(stmt))


def to_dict(policy: Policy, url_for) -> dict:
    return {
        "slug": policy.slug,
        "title": policy.name,
        "url": url_for("policies.detail", slug=policy.slug),
        "issuer": policy.issuer,
        "doc_number": policy.doc_number,
        "issued": policy.issued.isoformat(),
        "effective": policy.effective.isoformat() if policy.effective else None,
        "expires": policy.expires.isoformat() if policy.expires else None,
        "category": policy.category,
        "category_label": vocab.label(vocab.POLICY_CATEGORIES, policy.category),
        "summary": policy.description,
        "eligibility": policy.eligibility,
        "benefits": policy.benefits,
        "how_to_apply": policy.how_to_apply,
        "application_type": policy.application_type,
        "units": policy.units,
        "tags": policy.tags or [],
        "sample": policy.sample,
        "source": policy.source,
        "body_markdown": policy.body,
        "updated_at": policy.updated_at.isoformat() if policy.updated_at else None,
    }


def get(slug: str) -> Policy:
    policy = db.session.scalar(sa.select(Policy).where(Policy.slug == slug, Policy.visible.is_(True)))
    if policy is None:
        raise NotFound()
    return policy
