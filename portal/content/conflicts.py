"""Entries changed both in the portal and in content/: what `content load` must not overwrite without being told.

An entry is in conflict when an editor published (or unpublished) it in the portal since it was last loaded
(`changed_in_portal_at`) and the file says something else than the database now does — loading would silently
undo the editor's publication. With `--prune`, an entry the portal created or changed that the files do not list
is a conflict too. `content load --prefer files|portal` says which side wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.content import entries
from portal.extensions import db


@dataclass
class Conflict:
    kind: str
    slug: str
    reason: str
    path: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.kind}/{self.slug}: {self.reason}"


class ContentConflicts(Exception):
    def __init__(self, found: list[Conflict]):
        super().__init__(f"{len(found)} conflicts")
        self.conflicts = found


def find(content, prune: bool) -> list[Conflict]:
    found: list[Conflict] = []
    counties = entries._county_lookup()
    for kind, model in entries.MODELS.items():
        changed = {
            o.slug: o for o in db.session.scalars(sa.select(model).where(model.changed_in_portal_at.is_not(None)))
        }
        if not changed:
            continue
        listed = set()
        for record in content.kinds.get(kind, []):
            slug = record.data["slug"]
            listed.add(slug)
            obj = changed.get(slug)
            if obj is None:
                continue
            file_data = entries.canonical(kind, record.data, counties)
            if not obj.visible:
                reason = _("已在网站上撤下，文件仍列出它")
            elif file_data == entries.entry_data(kind, obj):
                continue
            elif entries.data_hash(file_data) == obj.source_hash:
                reason = _("上次载入后在网站上发布过修改，文件没有改（载入会撤销网站上的修改）")
            else:
                reason = _("上次载入后网站和文件都改过")
            found.append(Conflict(kind, slug, reason, record.path))
        if prune:
            for slug in sorted(set(changed) - listed):
                found.append(Conflict(kind, slug, _("在网站上新建或修改过，文件里没有（--prune 会删除它）")))
    return found


def keys(found: list[Conflict]) -> set[tuple[str, str]]:
    return {(c.kind, c.slug) for c in found}


def portal_only(found: list[Conflict]) -> set[tuple[str, str]]:
    return {(c.kind, c.slug) for c in found if c.path is None}
