"""The SMS outbox: verification codes are never kept or logged in plaintext, old rows are purged."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import limiter
from portal.notify import services as notify
from portal.notify.models import OutboxMessage
from tests.helpers import csrf_token, latest_sms


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


class FailingSender:
    def send(self, message):
        raise RuntimeError(f"gateway refused {message.recipient}: {message.body}")


def _request_code(client, phone):
    token = csrf_token(client, "/account/register")
    response = client.post("/account/register", data={"csrf_token": token, "phone": phone, "action": "send_code"})
    assert response.status_code == 200
    return response


def _raw_bodies(db):
    return [row[0] for row in db.session.execute(sa.text("SELECT body FROM outbox_message")).all()]


def _code(message):
    return re.search(r"验证码(\d{6})", message.body).group(1)


def test_waiting_code_is_encrypted_at_rest(client, db):
    _request_code(client, "13712340301")
    message = latest_sms(db, "13712340301")
    code = _code(message)
    raw = _raw_bodies(db)
    assert raw and not any(code in body for body in raw)
    assert not any("13712340301" in body for body in raw)


def test_code_is_removed_once_handed_over_and_the_log_shows_a_masked_number(app, client, db, caplog):
    _request_code(client, "13712340302")
    code = _code(latest_sms(db, "13712340302"))
    caplog.set_level(logging.INFO, logger="portal.notify")
    with app.app_context():
        assert notify.deliver_pending() >= 1
    message = latest_sms(db, "13712340302")
    assert message.sent_at is not None
    assert message.body == notify.REDACTED
    assert code not in str(db.session.execute(sa.text("SELECT * FROM outbox_message")).all())
    logged = caplog.text
    assert "137****0302" in logged
    assert "13712340302" not in logged and code not in logged


def test_code_given_up_on_is_removed_and_the_error_quotes_nothing(app, client, db, caplog):
    _request_code(client, "13712340303")
    code = _code(latest_sms(db, "13712340303"))
    caplog.set_level(logging.INFO, logger="portal.notify")
    app.config["NOTIFY_SENDER"] = "tests.test_notify:FailingSender"
    try:
        with app.app_context():
            for _ in range(notify.MAX_ATTEMPTS):
                notify.deliver_pending()
    finally:
        app.config["NOTIFY_SENDER"] = "portal.notify.services:LogSender"
    message = latest_sms(db, "13712340303")
    assert message.sent_at is None and message.attempts == notify.MAX_ATTEMPTS
    assert message.body == notify.REDACTED
    assert code not in (message.last_error or "") and "13712340303" not in (message.last_error or "")
    assert code not in caplog.text and "13712340303" not in caplog.text


def test_development_outbox_page_keeps_the_code_readable(app, client, db):
    app.config["DEV_OUTBOX_PAGE"] = True
    try:
        _request_code(client, "13712340304")
        code = _code(latest_sms(db, "13712340304"))
        with app.app_context():
            notify.deliver_pending()
        assert code in client.get("/account/dev/outbox").get_data(as_text=True)
    finally:
        app.config["DEV_OUTBOX_PAGE"] = False
    assert client.get("/account/dev/outbox").status_code == 404


def _outbox_row(db, days_old: int, phone: str):
    with db.session.begin_nested():
        message = OutboxMessage(recipient=phone, body="测试短信", purpose="test", created_at=utcnow())
        db.session.add(message)
        db.session.flush()
        message.created_at = utcnow() - timedelta(days=days_old)
    return message.id


def test_purge_deletes_rows_older_than_the_retention(app, runner, db):
    old = _outbox_row(db, 31, "13712340305")
    recent = _outbox_row(db, 29, "13712340306")
    db.session.commit()
    assert app.config["NOTIFY_OUTBOX_RETENTION_DAYS"] == 30
    result = runner.invoke(args=["notify", "purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 outbox messages older than 30 days" in result.output
    assert db.session.get(OutboxMessage, old) is None
    assert db.session.get(OutboxMessage, recent) is not None
    result = runner.invoke(args=["notify", "purge", "--days", "7"])
    assert "deleted 1 " in result.output
    assert db.session.get(OutboxMessage, recent) is None


def test_purge_is_audited_and_refuses_a_negative_retention(runner, db):
    from portal.audit import AuditLog

    result = runner.invoke(args=["notify", "purge", "--days", "-1"])
    assert result.exit_code != 0
    runner.invoke(args=["notify", "purge", "--days", "30"])
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "notify.purge")) is not None


@pytest.mark.committing
def test_migration_encrypts_stored_texts_and_removes_codes_already_sent(tmp_path_factory):
    """An outbox written before this change (plain texts, codes kept after sending) is cleaned by `db upgrade`."""
    from flask_migrate import downgrade, upgrade

    from portal.extensions import db as database
    from tests.conftest import _throwaway_database, make_test_app

    url, cleanup = _throwaway_database(tmp_path_factory)
    app = make_test_app(url, tmp_path_factory.mktemp("migration-data"))
    try:
        with app.app_context():
            upgrade(revision="5cc47f22439b")  # the revision before the outbox migration
            with database.engine.begin() as conn:
                conn.execute(
                    sa.text(
                        "INSERT INTO outbox_message (channel, recipient, body, purpose, created_at, sent_at, attempts)"
                        " VALUES ('sms', 'x', :sent, 'code:register', :now, :now, 0),"
                        " ('sms', 'x', :waiting, 'code:reset', :now, NULL, 0),"
                        " ('sms', 'x', :notice, 'application', :now, :now, 0)"
                    ),
                    {"sent": "验证码123456", "waiting": "验证码654321", "notice": "您的申请已受理", "now": utcnow()},
                )
            upgrade()
            raw = [row[0] for row in database.session.execute(sa.text("SELECT body FROM outbox_message ORDER BY id"))]
            assert not any("123456" in body or "654321" in body or "受理" in body for body in raw)
            bodies = [m.body for m in database.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))]
            assert bodies == [notify.REDACTED, "验证码654321", "您的申请已受理"], "a waiting code can still be sent"
            database.session.remove()
            downgrade(revision="5cc47f22439b")
            upgrade()
            database.session.remove()
    finally:
        with app.app_context():
            database.engine.dispose()
        cleanup()
