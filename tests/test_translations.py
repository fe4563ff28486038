"""The English catalog is complete: every marked string of the portal has an English translation."""

from __future__ import annotations

import re

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from tests.conftest import ROOT


def test_every_marked_string_is_translated(tmp_path):
    pot = tmp_path / "messages.pot"
    # babel.cfg names paths relative to the project root, so extract from there
    args = [
        "pybabel",
        "-q",
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "-k",
        "lazy_pgettext:1c,2",
        "-o",
        str(pot),
        "--no-location",
        str(ROOT),
    ]
    CommandLineInterface().run(args)
    with pot.open("rb") as fh:
        template = read_po(fh)
    with (ROOT / "portal/translations/en/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    assert len(template) > 500, "the extraction found the portal's strings"
    missing = [m.id for m in template if m.id and (m.id not in catalog or not catalog[m.id].string)]
    assert missing == [], "run `make update-messages` and translate these"
    placeholders = re.compile(r"%\(\w+\)s")
    for message in catalog:
        if message.id and isinstance(message.id, str):
            assert sorted(placeholders.findall(message.id)) == sorted(placeholders.findall(message.string)), message.id
