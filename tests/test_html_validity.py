"""Issue 18 point 2: the Nu Html Checker (vnu-jar from the npm registry, on the machine's Java) finds no error in the
HTML of any page type, in Chinese and in English, logged out and logged in as each kind of user, also with a form's
messages shown. The pages are those the accessibility tests walk (tests/test_browser_layout.py's lists): a new page
type is covered by adding its URL to one of those lists. One vnu run checks every saved page at once.

Skipped, saying why, where Java or npm (to fetch vnu-jar into .cache/vnu) is not available."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from portal.extensions import limiter
from tests.helpers import client_for, csrf_token, make_user
from tests.test_browser_layout import (
    ADMIN_PAGES,
    ANONYMOUS_PAGES,
    APPLICANT_PAGES,
    EDITOR_PAGES,
    OFFICE_PAGES,
    RULES_PAGES,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
VNU_DIR = ROOT / ".cache" / "vnu"
VNU_JAR = VNU_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
VNU_PACKAGE = "vnu-jar@26.9.27"  # the checker's rules change between versions: upgrade on purpose
LOCALES = ("zh_Hans_CN", "en")


def vnu_jar() -> Path:
    """The checker's jar, fetched with npm into .cache/vnu on first use (`make test` fetches it beforehand)."""
    if not shutil.which("java"):
        pytest.skip("Java is not installed (make test installs default-jre-headless with apt-get when run as root)")
    if not VNU_JAR.exists():
        npm = shutil.which("npm")
        if not npm:
            pytest.skip("npm is not installed, so vnu-jar (the Nu Html Checker) cannot be fetched into .cache/vnu")
        VNU_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--prefix", str(VNU_DIR), "--no-audit", "--no-fund", "--ignore-scripts", VNU_PACKAGE],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    return VNU_JAR


def check_html(files: list[Path]) -> list[str]:
    """Every error vnu finds in these files, as "file:line: message" (one Java process for all of them)."""
    proc = subprocess.run(
        ["java", "-Xss8m", "-jar", str(vnu_jar()), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    try:
        messages = json.loads(proc.stderr or proc.stdout)["messages"]
    except (ValueError, KeyError):
        raise AssertionError(f"vnu did not answer in JSON (exit {proc.returncode}):\n{proc.stderr[-3000:]}") from None
    return [
        f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']} [{m.get('extract', '').strip()}]"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]


class Pages:
    """The HTML of each page as served, saved to a folder for one vnu run; any status but the expected one fails."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.files = folder, []

    def save(self, client, locale: str, who: str, path: str, expected: int = 200, html: str | None = None) -> None:
        if html is None:
            response = client.get(path)
            assert response.status_code == expected, f"{who} {path}: {response.status_code}"
            html = response.get_data(as_text=True)
        name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "home"
        file = self.folder / f"{locale}-{who}-{name}-{len(self.files)}.html"
        file.write_text(html, encoding="utf-8")
        self.files.append(file)

    def post(self, client, locale: str, who: str, path: str, data: dict, expected: int = 400) -> None:
        """A form sent with its mistakes: the page again with every message shown."""
        response = client.post(path, data={"csrf_token": csrf_token(client, path), **data})
        assert response.status_code == expected, f"{who} POST {path}: {response.status_code}"
        self.save(client, locale, who, f"{path} errors", html=response.get_data(as_text=True))


def test_every_page_type_is_valid_html_in_both_languages_logged_in_and_not(app, db, tmp_path):
    import sqlalchemy as sa

    from portal.events.demo import make_demo_events
    from portal.events.models import Event
    from portal.rules import operations, routing_text

    jar = vnu_jar()  # skip before the pages are built when there is no checker
    assert jar.exists()
    make_user(db, phone="13911113301", name="申请人")
    make_user(db, role="office", phone="13911113302", name="办公室", unit_code="city-office")
    make_user(db, role="editor", phone="13911113303", name="编辑")
    admin = make_user(db, role="admin", phone="13911113304", name="管理员")
    with app.test_request_context():
        make_demo_events()
        db.session.commit()
        event_id = db.session.scalar(sa.select(Event.id).where(Event.sample, Event.kind == "matchmaking"))
        text = routing_text.current_text().replace("loan: 15", "loan: 16")
        change_id = operations.propose_routing(db.session.merge(admin), text, "HTML 检查").id
        db.session.commit()
    values = {"event_id": event_id, "change_id": change_id}

    pages = Pages(tmp_path)
    for locale in LOCALES:
        limiter.reset()
        public = app.test_client()
        public.set_cookie("lang", locale)
        for path in ANONYMOUS_PAGES:
            pages.save(public, locale, "public", path)
        pages.save(public, locale, "public", "/no-such-page", expected=404)
        pages.post(public, locale, "public", "/account/login", {"phone": "123", "password": ""})

        applicant = client_for(app, "13911113301", lang=locale)
        for path in APPLICANT_PAGES:
            pages.save(applicant, locale, "applicant", path)
        pages.post(applicant, locale, "applicant", "/apply/loan", {"action": "submit"})

        office = client_for(app, "13911113302", lang=locale)
        for path in OFFICE_PAGES:
            pages.save(office, locale, "office", path.format(**values))

        editor = client_for(app, "13911113303", lang=locale)
        for path in EDITOR_PAGES:
            pages.save(editor, locale, "editor", path)
        pages.post(editor, locale, "editor", "/editorial/bases/new", {"action": "save"})

        administrator = client_for(app, "13911113304", lang=locale)
        for path in [*RULES_PAGES, *ADMIN_PAGES]:
            pages.save(administrator, locale, "admin", path.split("#")[0].format(**values))
        pages.post(administrator, locale, "admin", "/admin/units/new", {})

    errors = check_html(pages.files)
    assert errors == [], f"{len(errors)} HTML errors in {len(pages.files)} pages:\n" + "\n".join(errors)
