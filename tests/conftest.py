"""Test fixtures: one throw-away database per run (SQLite or PostgreSQL), each test inside a rolled-back transaction."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.engine import make_url

from portal import create_app
from tests.helpers import make_user, submit_application

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"


def _throwaway_database(tmp_path_factory) -> tuple[str, callable]:
    """Return (database URL, cleanup) for a database that exists only for this test run."""
    url = os.environ.get("DATABASE_URL")
    if not url or url.startswith("sqlite"):
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        return f"sqlite:///{path}", lambda: None
    admin_url = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"portal_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return admin_url.set(database=name).render_as_string(hide_password=False), drop


def make_test_app(database_url: str, data_dir: Path, **extra):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PORTAL_DATA_DIR": str(data_dir),
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "CONTENT_DIR": str(CONTENT_DIR),
        # Tests change data inside rolled-back transactions; a page cache would serve them yesterday's page.
        "PAGE_CACHE": False,
    }
    config.update(extra)
    return create_app(config)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url, cleanup = _throwaway_database(tmp_path_factory)
    yield url
    cleanup()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from flask_migrate import upgrade

    from portal.content.loader import apply_content, read_content
    from portal.extensions import db

    app = make_test_app(database_url, tmp_path_factory.mktemp("data"))
    with app.app_context():
        upgrade()
        content = read_content(CONTENT_DIR)
        assert not content.problems, [str(p) for p in content.problems]
        apply_content(content)
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Run each test in a transaction rolled back at the end; commits inside become savepoints.

    No app context stays pushed during the test: each request gets its own, as in production
    (a shared one would let `g` — and the chosen locale — leak from one request to the next).
    """
    if "committing" in request.keywords:
        yield
        return
    from portal.extensions import db

    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    # A plain SQLAlchemy session: Flask-SQLAlchemy's own would pick the engine, not this connection.
    factory = sa.orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    db.session = sa.orm.scoped_session(factory)
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        if outer.is_active:
            outer.rollback()
        connection.close()


@pytest.fixture
def ctx(app):
    """An app context for tests that call services directly."""
    with app.test_request_context():
        yield


@pytest.fixture(scope="module")
def isolated_app(tmp_path_factory):
    """An app with its own database and data directory, for tests that commit for real
    (several processes, concurrency). Its data is loaded from content/ and dropped afterwards."""
    from flask_migrate import upgrade

    from portal.content.loader import apply_content, read_content
    from portal.extensions import db

    url, cleanup = _throwaway_database(tmp_path_factory)
    app = make_test_app(url, tmp_path_factory.mktemp("isolated-data"))
    with app.app_context():
        upgrade()
        apply_content(read_content(CONTENT_DIR))
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()
    cleanup()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    from portal.extensions import db

    return db


@pytest.fixture
def en_client(app):
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


# ---------------------------------------------------------------- people and an application, for queue journeys


@pytest.fixture
def people(db):
    """A returning worker, staff of 镇平县 (its lead), 西峡县, 镇平县财政局 and 人行, and the office."""
    return {
        "applicant": make_user(db, phone="13411110001", name="陈返乡"),
        "zp": make_user(
            db, role="staff", phone="13411110002", name="镇平经办", unit_code="411324-hrss", unit_lead=True
        ),
        "zp2": make_user(db, role="staff", phone="13411110003", name="镇平同事", unit_code="411324-hrss"),
        "xx": make_user(db, role="staff", phone="13411110004", name="西峡经办", unit_code="411323-hrss"),
        "fin": make_user(db, role="staff", phone="13411110005", name="镇平财政", unit_code="411324-finance"),
        "pbc": make_user(db, role="staff", phone="13411110006", name="人行经办", unit_code="city-pbc"),
        "office": make_user(db, role="office", phone="13411110007", name="办公室", unit_code="city-office"),
    }


@pytest.fixture
def loan_id(app, db, people):
    return submit_application(app, db, people["applicant"], "loan", county="411324")
