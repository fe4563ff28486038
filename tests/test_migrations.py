"""Migrations: upgrade from an empty database works, and the models match the migrations."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def test_models_match_migrations(app, db):
    """The session database was built by `upgrade` from empty; autogenerate must find nothing to add."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_upgrade_head_is_current(app, db):
    from alembic.script import ScriptDirectory
    from flask_migrate import Config

    with app.app_context():
        config = Config(str(app.extensions["migrate"].directory) + "/alembic.ini")
        config.set_main_option("script_location", app.extensions["migrate"].directory)
        heads = ScriptDirectory.from_config(config).get_heads()
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
    assert len(heads) == 1, "one line of migrations"
    assert set(current) == set(heads)


def test_cli_upgrade_is_idempotent(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output


@pytest.mark.committing
def test_data_migrations_encrypt_answers_and_move_files_into_the_database(tmp_path_factory):
    """From the revision before them: a phone in plain answers moves to the encrypted column, a personal number in
    audit values is masked, and an uploaded file on disk becomes stored bytes that `files check` accepts."""
    import hashlib
    import json
    from pathlib import Path

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from portal.core.crypto import ring
    from portal.extensions import db
    from tests.conftest import _throwaway_database, make_test_app
    from tests.helpers import PDF

    url, cleanup = _throwaway_database(tmp_path_factory)
    data_dir = tmp_path_factory.mktemp("old-uploads")
    app = make_test_app(url, data_dir)
    now = "2026-01-05 08:00:00"
    try:
        with app.app_context():
            upgrade(revision="03c39006253b")
            conn = db.session.connection()
            conn.execute(
                sa.text(
                    "INSERT INTO user_account (id, phone, name, password_hash, role, is_unit_lead, active,"
                    " full_personal_data, session_version, created_at, updated_at)"
                    " VALUES (1, '13611110001', '王', 'x', 'applicant', false, true, false, 1, :t, :t)"
                ),
                {"t": now},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO application (id, type, state, version, applicant_id, form_key, answers, private,"
                    " created_at, updated_at) VALUES (1, 'training', 'draft', 1, 1, 'k', :answers, :private, :t, :t)"
                ),
                {
                    "answers": json.dumps({"phone": "13611110001", "business": "玉雕"}),
                    "private": ring().encrypt(json.dumps({"id_number": "x"})),
                    "t": now,
                },
            )
            name = "ab" + "0" * 30 + ".pdf"
            path = Path(data_dir) / "uploads" / "ab" / name
            path.parent.mkdir(parents=True)
            path.write_bytes(PDF)
            conn.execute(
                sa.text(
                    "INSERT INTO attachment (id, application_id, kind, original_name, stored_name, content_type,"
                    " size, sha256, created_at) VALUES (1, 1, 'business_plan', 'p.pdf', :n, 'application/pdf',"
                    " :size, :sha, :t)"
                ),
                {"n": name, "size": len(PDF), "sha": hashlib.sha256(PDF).hexdigest(), "t": now},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO audit_log (at, action, object_type, object_id, after)"
                    " VALUES (:t, 'x', 'user', '1', :after)"
                ),
                {"t": now, "after": json.dumps({"phone": "13611110001"})},
            )
            db.session.commit()
            upgrade()
            answers, private = db.session.execute(sa.text("SELECT answers, private FROM application")).one()
            answers = answers if isinstance(answers, dict) else json.loads(answers)
            assert answers == {"business": "玉雕"}
            assert json.loads(ring().decrypt(private)) == {"id_number": "x", "phone": "13611110001"}
            after = db.session.execute(sa.text("SELECT after FROM audit_log")).scalar()
            assert "13611110001" not in str(after) and "136****0001" in str(after)
            assert bytes(db.session.execute(sa.text("SELECT data FROM stored_blob")).scalar()) == PDF
            raw_phone = db.session.execute(sa.text("SELECT phone FROM user_account")).scalar()
            assert "13611110001" not in raw_phone, "the login phone is encrypted"
            from portal.accounts.models import User

            assert db.session.scalar(sa.select(User).where(User.phone == "13611110001")).id == 1
            result = app.test_cli_runner().invoke(args=["files", "check"])
            assert result.exit_code == 0 and "files ok" in result.output, result.output
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()
