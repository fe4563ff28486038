"""先进典型 / 返乡创业故事: editors write stories of returning entrepreneurs (text, photos resized on the server with
alt text, county, industry, the support they used) with the person's recorded consent kept with the story; a second
editor publishes them; they show on the home page, on the catalog's pages of the same county and industry
(panels), and at /stories/."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    import sqlalchemy as sa

    from portal.core import cache, panels
    from portal.stories import access, states  # noqa: F401  (access registers the area's rules)
    from portal.stories.cli import stories_cli
    from portal.stories.models import Story
    from portal.stories.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(stories_cli)
    for slot in ("project.public", "park.public", "base.public"):
        panels.register(slot, _related_stories_panel)
    # the home page and the catalog pages (cached for visitors) show stories: a change renews them
    cache.generation_source("stories", lambda: sa.select(sa.func.max(Story.updated_at)).scalar_subquery())
    app.jinja_env.globals["story_status"] = states.STORY.label
    app.jinja_env.globals["story_label"] = _label


def _label(table: str, code: str | None) -> str:
    from portal.stories import vocab

    return str(getattr(vocab, table).get(code, code or ""))


def _related_stories_panel(item, _user):
    """On a base, park or demonstration project's page: stories from the same county and the same industry."""
    from portal.stories.queries import count_published

    county = getattr(item, "county", None)
    industry = getattr(item, "industry", None)
    in_county = count_published(county_id=county.id) if county is not None else 0
    in_industry = count_published(industry=industry) if industry else 0
    if not (in_county or in_industry):
        return None
    return "stories/_related_panel.html", {
        "county": county,
        "industry": industry,
        "in_county": in_county,
        "in_industry": in_industry,
    }
