"""The permission matrix: every role × every protected page → the expected answer."""

from __future__ import annotations

import pytest

from portal.extensions import limiter
from tests.helpers import login, make_user

PAGES = ["/staff/queue", "/office/queues", "/staff/visits", "/mentor/visits", "/my/applications", "/apply/loan",
         "/staff/queue/export.csv", "/account/password", "/registry/", "/registry/new", "/staff/registrations",
         "/staff/registrations/new", "/staff/registrations/import", "/admin/", "/admin/audit",
         "/surveys/", "/staff/surveys", "/staff/surveys/new",
         "/my/ventures", "/staff/ventures", "/staff/ventures/recommendations.xlsx", "/editorial/stories/",
         "/staff/events", "/staff/events/new", "/my/events"]  # fmt: skip
# fmt: off
EXPECTED = {
    "anonymous": [302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302,
                 302, 302, 302, 302, 302, 302, 302, 302, 302, 302],
    "applicant": [404, 404, 404, 404, 200, 200, 404, 200, 200, 200, 404, 404, 404, 404, 404,
                 200, 404, 404, 200, 404, 404, 404, 404, 404, 200],
    "mentor": [404, 404, 404, 200, 403, 403, 404, 200, 404, 404, 404, 404, 404, 404, 404,
              200, 404, 404, 404, 404, 404, 404, 404, 404, 404],
    "staff": [200, 404, 200, 404, 403, 403, 200, 200, 404, 404, 200, 200, 200, 404, 404,
             200, 200, 200, 404, 200, 200, 404, 200, 200, 404],
    "office": [200, 200, 404, 404, 403, 403, 200, 200, 404, 404, 200, 404, 404, 404, 404,
              200, 200, 200, 404, 200, 200, 404, 200, 200, 404],
    "admin": [200, 200, 404, 404, 403, 403, 200, 200, 404, 404, 200, 404, 404, 200, 200,
             200, 404, 404, 404, 200, 200, 200, 404, 404, 404],
}
# fmt: on
PHONES = {
    "applicant": "13211110001",
    "mentor": "13211110002",
    "staff": "13211110003",
    "office": "13211110004",
    "admin": "13211110005",
}  # fmt: skip


@pytest.mark.parametrize("role", list(EXPECTED))
def test_permission_matrix(app, db, role):
    limiter.reset()
    client = app.test_client()
    if role != "anonymous":
        extra = {"staff": {"unit_code": "city-hrss"}, "office": {"unit_code": "city-office"}}.get(role, {})
        if role == "mentor":
            from portal.catalog.models import Mentor

            extra = {"mentor_slug": db.session.scalar(Mentor.__table__.select().with_only_columns(Mentor.slug)
                                                      .limit(1))}  # fmt: skip
        make_user(db, role=role, phone=PHONES[role], **extra)
        assert login(client, PHONES[role], "good-pass-2026").status_code == 302
    got = [client.get(page).status_code for page in PAGES]
    assert dict(zip(PAGES, got, strict=True)) == dict(zip(PAGES, EXPECTED[role], strict=True))
