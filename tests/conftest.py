"""Fixtures: a fresh, migrated database per test on SQLite, and on PostgreSQL when
TEST_DATABASE_URL is set (that database is wiped: point it only at a test database)."""

from __future__ import annotations

import functools
import os
import re
import shutil

import pyotp
import pytest
import sqlalchemy as sa
from hypothesis import settings

from app import create_app
from app.extensions import db

# No time limit on a hypothesis example: timing belongs in bench/, and on a busy 2-core
# machine the default 200 ms deadline failed a Merkle property test that was right.
settings.register_profile("teamaround", deadline=None)
settings.load_profile("teamaround")

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
PASSWORD = "plum orbit lantern gravel"

BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    "AUDIT_HMAC_KEY": "test-audit-hmac-key",
    "AUDIT_SIGNING_KEY": "test-audit-signing-key",
    "TOTP_ENCRYPTION_KEY": "test-totp-encryption-key",
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_KIB": 1024,
    "ARGON2_PARALLELISM": 1,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_NAME": "teamaround",
    "WTF_CSRF_SSL_STRICT": False,
    "PUBLIC_BASE_URL": "http://localhost",
    # Email on, to an address where no server listens unless a test starts one: every
    # message any test makes is queued, and make_app's teardown greps them all for the
    # fixture children's details (issue 18). Tests of on-screen links use app_without_email.
    "MAIL_URL": "smtp://127.0.0.1:9?tls=none",
}


def _pg_url() -> str:
    url = TEST_DATABASE_URL
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1: each worker its own database
    return _worker_database(url, worker) if worker else url


@functools.cache
def _worker_database(url: str, worker: str) -> str:
    """A database of its own for one xdist worker (beside the one named, made if need be),
    so that workers never empty each other's tables."""
    base = sa.engine.make_url(url)
    mine = base.set(database=f"{base.database}_{worker}")
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                           {"name": mine.database}):
            conn.exec_driver_sql(f'CREATE DATABASE "{mine.database}"')
    engine.dispose()
    return mine.render_as_string(hide_password=False)


def _migrate(uri: str) -> None:
    from flask_migrate import upgrade

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """One migrated SQLite file, copied for each test (the schema comes from migrations)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_migrated():
    """Wipe the PostgreSQL test database once and migrate it."""
    engine = sa.create_engine(_pg_url())
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    _migrate(_pg_url())
    return _pg_url()


def _pg_reset(url: str) -> None:
    """Empty every table (triggers off for the audit tables) and restart the sequences."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.exec_driver_sql(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """A fresh migrated database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_migrated")
    _pg_reset(url)
    return url


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build apps on the test's database (a second call is 'a restart')."""
    made = []

    def factory(**overrides):
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url,
                          "JOBS_DATABASE": str(tmp_path / "jobs.sqlite"), **overrides})
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.session.remove()
            _no_child_in_any_email()
            db.engine.dispose()


CHILD_FIELDS = ("Amelia", "O'Neill", "O&#39;Neill", "14 February 2016", "2016-02-14",
                "9434765919", "943 476 5919", "B801200005001", "Marigold Crescent",
                "ZZ9 9ZZ", "Quillfeather", "Zephyr")


def _no_child_in_any_email() -> None:
    """Issue 18: whatever a test did, no email it queued holds a detail of the fixture
    children (a sent message's body is gone: test_email reads those at the server)."""
    import json

    from app.models import OutgoingEmail
    from app.services import crypto

    try:
        rows = db.session.execute(sa.select(OutgoingEmail.subject, OutgoingEmail.body)).all()
    except sa.exc.DBAPIError:  # a test that dropped or broke the database
        db.session.rollback()
        return
    for subject, body in rows:
        try:
            parts = json.loads(crypto.decrypt(body)).values() if body else []
        except ValueError:  # a test's deliberately unreadable message
            parts = []
        text = subject + " ".join(parts)
        leaked = [field for field in CHILD_FIELDS if field in text]
        assert not leaked, f"an email holds {leaked}: {subject}"
    db.session.rollback()


@pytest.fixture
def sqlite_app(sqlite_template, tmp_path):
    """An app on a fresh SQLite copy only (for tests whose subject is the same on both
    databases, such as mutants of the disclosure policy)."""
    path = tmp_path / "only.sqlite"
    shutil.copy(sqlite_template, path)
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "JOBS_DATABASE": str(tmp_path / "jobs.sqlite")})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def app_without_email(make_app):
    """Email off (no MAIL_URL): one-time links are shown on screen to be passed on."""
    return make_app(MAIL_URL=None)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---- helpers shared by the tests -------------------------------------------------------

def csrf_token(client, path: str = "/sign-in") -> str:
    """The CSRF token the page at path carries (every page has it in hx-headers)."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def make_user(app, *, email="ann@hilltop.example", name="Ann Admin", role="admin",
              organisation="Hilltop School", password=PASSWORD):
    """Create an enrolled user through the service layer; returns (id, email, secret)."""
    from app.models import Role
    from app.services import accounts, totp

    with app.app_context():
        org = accounts.find_or_create_organisation(organisation)
        secret = totp.new_secret()
        user = accounts.create_user(email=email, name=name, role=Role(role), organisation=org,
                                    password=password, totp_secret=secret)
        db.session.commit()
        return user.id, email, secret


def code_for(secret: str) -> str:
    """The current TOTP code for a key."""
    return pyotp.TOTP(secret).now()


def sign_in(client, email, secret, password=PASSWORD, code=None):
    """Both sign-in steps through the real forms; returns the last response."""
    token = csrf_token(client)
    first = client.post("/sign-in", data={"email": email, "password": password,
                                          "csrf_token": token})
    if first.status_code != 302:
        return first
    token = csrf_token(client, "/sign-in/code")
    return client.post("/sign-in/code", data={"code": code or code_for(secret),
                                              "csrf_token": token})
