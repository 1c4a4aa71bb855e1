"""Fixtures: a fresh, migrated database per test on SQLite, and on PostgreSQL when
TEST_DATABASE_URL is set (that database is wiped: point it only at a test database)."""

from __future__ import annotations

import os
import re
import shutil

import pyotp
import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db

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
}


def _pg_url() -> str:
    url = TEST_DATABASE_URL
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    return url


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
            db.engine.dispose()


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
