"""The operator commands of the stable interface."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Organisation, User
from tests.conftest import PASSWORD, sign_in


def _create(runner, email="ann@hilltop.example", org="Hilltop School", role="admin",
            password=PASSWORD, extra=()):
    return runner.invoke(args=["users", "create", "--email", email, "--name", "Ann Admin",
                               "--role", role, "--organisation", org, "--password-stdin",
                               *extra], input=password + "\n")


def test_users_create_makes_the_first_organisation_the_host(app, runner):
    result = _create(runner, extra=["--print-totp-uri"])
    assert result.exit_code == 0, result.output
    uri = next(line for line in result.output.splitlines() if line.startswith("otpauth://"))
    assert "issuer=TeamAround" in uri
    assert _create(runner, email="bob@village.example", org="Village Childminding",
                   role="practitioner").exit_code == 0
    with app.app_context():
        orgs = {o.name: o.is_host for o in db.session.scalars(sa.select(Organisation))}
        assert orgs == {"Hilltop School": True, "Village Childminding": False}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 2
    secret = uri.split("secret=")[1].split("&")[0]
    assert sign_in(app.test_client(), "ann@hilltop.example", secret).status_code == 302


def test_users_create_refuses_duplicates_and_weak_passwords(app, runner):
    assert _create(runner).exit_code == 0
    duplicate = _create(runner, email="ANN@hilltop.example ")
    assert duplicate.exit_code != 0 and "already an account" in duplicate.output
    weak = _create(runner, email="new@hilltop.example", password="password1234")
    assert weak.exit_code != 0 and "too common" in weak.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_audit_verify_on_an_empty_trail(runner):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "0 events" in result.output


@pytest.mark.parametrize("email,name,org,message", [
    ("not an email", "Ann Admin", "Hilltop School", "correct format"),
    ("ann@", "Ann Admin", "Hilltop School", "correct format"),
    ("ann@hilltop.example", "Ann\x1b[31m Admin", "Hilltop School", "Full name"),
    ("ann@hilltop.example", "Ann \u202eAdmin", "Hilltop School", "Full name"),
    ("ann@hilltop.example", "", "Hilltop School", "Enter their full name"),
    ("ann@hilltop.example", "A" * 201, "Hilltop School", "Full name"),
    ("ann@hilltop.example", "Ann Admin", "Hill\x00top", "Organisation name"),
    ("ann@hilltop.example", "Ann Admin", " ", "Enter the organisation"),
])
def test_users_create_checks_what_the_forms_check(app, runner, email, name, org, message):
    """Issue 14 finding 9: `users create` took an email address the sign-in form refuses
    (a user who could never sign in), and names no form would take. Now the same rules as
    the invitation form; nothing is created."""
    result = runner.invoke(args=["users", "create", "--email", email, "--name", name,
                                 "--role", "admin", "--organisation", org, "--password-stdin"],
                           input=PASSWORD + "\n")
    assert result.exit_code != 0 and message in result.output, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_users_create_trims_the_email_address_as_sign_in_does(app, runner):
    assert _create(runner, email="  ann@hilltop.example ").exit_code == 0
    with app.app_context():
        assert db.session.scalar(sa.select(User.email)) == "ann@hilltop.example"
