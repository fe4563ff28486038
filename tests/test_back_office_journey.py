"""Issue 15's "done when", as one journey through the pages: the administrator opens two editor accounts (no
password chosen or seen by the admin: each editor sets their own from the SMS code), one editor changes a policy
guide, the other publishes it, and the public page and search show it at once."""

from __future__ import annotations

import re
import time

import pytest

from portal.extensions import limiter
from tests.helpers import client_for, csrf_token, latest_sms, login, make_user, text
from tests.test_editorial import SLUG, draft_edit, page_cache, post_action, search_titles  # noqa: F401 (fixture)

ADMIN = "13611118000"


def open_account(app, db, admin, phone: str, name: str):
    """The admin creates an editor; the person sets a password from the SMS code and logs in."""
    token = csrf_token(admin, "/admin/users/new")
    created = admin.post("/admin/users/new", data={"csrf_token": token, "role": "editor", "name": name, "phone": phone})
    assert created.status_code == 302, text(created)[:2000]
    code = re.search(r"验证码(\d{6})", latest_sms(db, phone).body).group(1)
    person = app.test_client()
    token = csrf_token(person, "/account/reset")
    done = person.post(
        "/account/reset",
        data={"csrf_token": token, "phone": phone, "code": code, "password": f"{name}-pass-2026",
              "password2": f"{name}-pass-2026", "action": "reset"},
    )  # fmt: skip
    assert done.status_code == 302, text(done)[:2000]
    assert login(person, phone, f"{name}-pass-2026").status_code == 302
    return person


@pytest.mark.usefixtures("page_cache")
def test_admin_opens_an_editor_pair_who_publish_a_guide_that_shows_at_once(app, db, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_DATA_DIR", str(tmp_path))  # this test's own search index
    limiter.reset()
    make_user(db, role="admin", phone=ADMIN, name="管理员")
    admin = client_for(app, ADMIN)
    a = open_account(app, db, admin, "13611118001", "editor-a")
    b = open_account(app, db, admin, "13611118002", "editor-b")
    public = app.test_client()
    assert "白鹭计划" not in text(public.get(f"/policies/{SLUG}"))
    change_id = draft_edit(a, "policies", SLUG, title="创业担保贷款白鹭计划", body="## 要点\n\n白鹭计划的说明。\n")
    assert post_action(a, change_id, "publish").status_code == 404  # never by its author
    assert post_action(b, change_id, "publish").status_code == 302
    time.sleep(1.05)  # the page cache checks the content generation once a second
    assert "白鹭计划的说明" in text(public.get(f"/policies/{SLUG}"))
    assert "创业担保贷款白鹭计划" in search_titles(public, "白鹭计划")
    audit = text(admin.get("/admin/audit", query_string={"action": "content_change"}))
    assert "content_change.publish" in audit
