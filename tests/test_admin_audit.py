"""The audit-log page (/admin/audit): filters, newest first, odd dates answered with a message, CSV export with a
cap; reading the log is itself audited; no plain phone numbers in what changes record."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from portal import audit
from portal.audit import AuditLog
from portal.extensions import limiter
from tests.helpers import client_for, make_user, text

ADMIN_PHONE = "13611117000"


@pytest.fixture
def admin(app, db):
    limiter.reset()
    make_user(db, role="admin", phone=ADMIN_PHONE, name="审计管理员")
    return client_for(app, ADMIN_PHONE)


@pytest.fixture
def entries(db):
    march = [
        datetime(2026, 3, 1, 15, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 17, 0, tzinfo=UTC),
        datetime(2026, 3, 3, 2, tzinfo=UTC),
    ]
    rows = [
        AuditLog(action="unit.update", object_type="unit", object_id="city-hrss", at=march[0]),
        AuditLog(action="user.deactivate", object_type="user", object_id="42", at=march[1]),
        AuditLog(
            action="user.create", object_type="user", object_id="43", at=march[2], after={"note": '=HYPERLINK("x")'}
        ),
    ]
    db.session.add_all(rows)
    db.session.commit()


def _csv(response) -> list[list[str]]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_filters_by_action_prefix_object_and_beijing_dates(db, admin, entries):
    march = "&start=2026-03-01&end=2026-03-31"
    body = text(admin.get("/admin/audit?action=user.&object_type=user" + march))
    assert "user.deactivate" in body and "user.create" in body and "unit.update" not in body
    assert body.index("user.create") < body.index("user.deactivate"), "newest first"
    assert "user.deactivate" in text(admin.get("/admin/audit?object_type=user&object_id=42"))
    assert "user.create" not in text(admin.get("/admin/audit?object_type=user&object_id=42"))
    # 17:00 UTC on 1 March is 01:00 on 2 March in Beijing; 15:00 UTC is 23:00 on 1 March
    day = text(admin.get("/admin/audit?start=2026-03-02&end=2026-03-02"))
    assert "user.deactivate" in day and "unit.update" not in day and "user.create" not in day


@pytest.mark.parametrize("value", ["2026-02-30", "yesterday", "2026-13-01", "0000-00-00", "9" * 60])
def test_odd_dates_get_a_message_not_a_500(admin, entries, value):
    response = admin.get(f"/admin/audit?start={value}&end={value}")
    assert response.status_code == 200
    assert "看不懂，已忽略" in text(response)


def test_a_page_past_the_last_shows_the_last(admin, entries):
    page = text(admin.get("/admin/audit?page=999"))
    assert "第 999" not in page and "没有符合条件的记录" not in page


def test_who_is_found_by_name_or_id(db, admin, people):
    from portal.accounts.models import User

    zp = db.session.scalar(sa.select(User).where(User.phone == "13411110002"))
    zp_id = zp.id
    audit.record(zp, "queue.note", "queue_item", 7)
    db.session.commit()
    assert "queue.note" in text(admin.get("/admin/audit?who=镇平经办"))
    assert "queue.note" in text(admin.get(f"/admin/audit?who={zp_id}"))
    assert "queue.note" not in text(admin.get("/admin/audit?who=西峡"))


def test_csv_export_of_the_filtered_rows_neutralises_formulas(admin, entries):
    rows = _csv(admin.get("/admin/audit/export.csv?action=user.create&end=2026-03-31"))
    assert rows[0][0] == "编号" and len(rows) == 2
    assert rows[1][4] == "user.create"
    assert rows[1][8].startswith("{") and "HYPERLINK" in rows[1][8]
    first = _csv(admin.get("/admin/audit/export.csv?action=unit.update"))[1]
    assert first[1] == "2026-03-01 23:00:00", "Beijing time"


def test_a_capped_export_says_so(monkeypatch, admin, entries):
    from portal.admin import queries

    monkeypatch.setattr(queries, "EXPORT_CAP", 1)
    response = admin.get("/admin/audit/export.csv?object_type=user&end=2026-03-31")
    rows = _csv(response)
    assert len(rows) == 1 + 1 + 1 and "只导出了最新的 1 条" in rows[-1][0]
    assert response.headers["X-Portal-Capped"] == "1"


def test_reading_the_log_is_audited(db, admin, entries):
    admin.get("/admin/audit?action=user.&end=2026-03-31")
    admin.get("/admin/audit/export.csv?action=user.&end=2026-03-31")
    reads = db.session.scalars(sa.select(AuditLog).where(AuditLog.action.in_(["audit.view", "audit.export"]))).all()
    assert {r.action for r in reads} == {"audit.view", "audit.export"}
    export = next(r for r in reads if r.action == "audit.export")
    assert export.after["action"] == "user." and export.after["end"] == "2026-03-31" and export.after["rows"] == 2


def test_account_changes_never_record_a_plain_phone_number(db, admin):
    from tests.helpers import csrf_token

    admin.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_token(admin, "/admin/users/new"),
            "role": "office",
            "name": "某办公",
            "phone": "13611117001",
        },
    )
    rows = db.session.scalars(sa.select(AuditLog)).all()
    assert rows and not any("13611117001" in str((r.before, r.after, r.object_id)) for r in rows)
