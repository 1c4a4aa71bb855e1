"""First-run setup, invitations and enrolment; changing password or authenticator."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.models import Organisation, RecoveryCode, User
from tests.conftest import PASSWORD, csrf_token, make_user, sign_in

T0 = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)


def _setup_token(runner) -> str:
    output = runner.invoke(args=["setup-link"]).output
    return re.search(r"/setup/(\S+)", output).group(1)


ELIGIBLE = {"role_category": "head_teacher", "training": ["1", "11", "2025"],
            "dbs": ["1", "6", "2025"]}


def _post(client, path, data, page=None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page or path)})


def _enrol(client, path_after_link, password=PASSWORD):
    """Password then authenticator; returns (response, secret)."""
    response = _post(client, "/enrol/password", {"password": password, "confirm": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    html = client.get("/enrol/authenticator").get_data(as_text=True)
    secret = re.search(r'id="totp-key">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert "<svg" in html and 'autocomplete="one-time-code"' in html
    response = _post(client, "/enrol/authenticator", {"code": pyotp.TOTP(secret).now()})
    return response, secret


def test_setup_link_creates_host_and_first_admin(app, runner, client):
    with time_machine.travel(T0, tick=False) as traveller:
        token = _setup_token(runner)
        response = client.get(f"/setup/{token}")
        assert response.status_code == 302 and response.location.endswith("/setup")
        bad = _post(client, "/setup", {"organisation_name": "", "kind": "childminder",
                                       "name": "Ann", "email": "not-an-email"})
        assert bad.status_code == 422
        assert "Enter the name of your organisation" in bad.get_data(as_text=True)
        ok = _post(client, "/setup", {"organisation_name": "Hilltop School",
                                      "kind": "independent_school", "name": "Ann Admin",
                                      "email": "Ann@Hilltop.example", **ELIGIBLE})
        assert ok.status_code == 302
        response, secret = _enrol(client, "/enrol/password")
        assert response.status_code == 200
        codes = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", response.get_data(as_text=True))
        assert len(codes) == 10
        with app.app_context():
            user = db.session.scalar(sa.select(User))
            assert user.email_key == "ann@hilltop.example" and user.is_management
            assert user.password_hash.startswith("$argon2id$")
            assert secret not in user.totp_secret_enc  # encrypted at rest
            assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 10
        # the link is single-use, and setup is closed once someone exists
        assert app.test_client().get(f"/setup/{token}").status_code == 404
        assert runner.invoke(args=["setup-link"]).output.strip() == ""
        traveller.shift(timedelta(seconds=30))
        fresh = app.test_client()
        assert sign_in(fresh, "ann@hilltop.example", secret).status_code == 302


def test_weak_passwords_are_refused_with_reasons(app, runner, client):
    client.get(f"/setup/{_setup_token(runner)}")
    _post(client, "/setup", {"organisation_name": "Hilltop School", "kind": "childminder",
                             "name": "Annabel Admin", "email": "annabel@hilltop.example",
                             **ELIGIBLE})
    cases = {
        "short": "at least 12 characters",
        "password1234": "too common",
        "Sunshine2024!!": "too common",
        "I love Hilltop School": "organisation",
        "annabel forever and ever": "email address",
    }
    for password, reason in cases.items():
        response = _post(client, "/enrol/password", {"password": password, "confirm": password})
        assert response.status_code == 422, password
        assert reason in response.get_data(as_text=True), password
    mismatch = _post(client, "/enrol/password", {"password": PASSWORD, "confirm": PASSWORD + "x"})
    assert "do not match" in mismatch.get_data(as_text=True)


def test_admin_invites_a_practitioner_who_enrols(app_without_email):
    app = app_without_email  # the link is read off the page
    _, email, secret = make_user(app)
    admin = app.test_client()
    sign_in(admin, email, secret)
    with app.app_context():
        org_id = db.session.scalar(sa.select(Organisation.id))
    response = _post(admin, "/admin/users/invite", {**ELIGIBLE,
        "name": "Pat Practitioner", "email": "pat@hilltop.example", "role": "practitioner",
        "organisation": str(org_id)})
    assert response.status_code == 200
    link = re.search(r'id="invitation-link">([^<]+)<', response.get_data(as_text=True)).group(1)
    path = link.replace("http://localhost", "")
    invitee = app.test_client()
    assert invitee.get(path).status_code == 302
    response, _ = _enrol(invitee, "/enrol/password")
    assert response.status_code == 200
    assert app.test_client().get(path).status_code == 404  # used
    duplicate = _post(admin, "/admin/users/invite", {**ELIGIBLE,
        "name": "Pat again", "email": "PAT@hilltop.example", "role": "practitioner",
        "organisation": str(org_id)})
    assert duplicate.status_code == 422
    assert "already an account" in duplicate.get_data(as_text=True)


def test_invitations_expire_after_72_hours(app_without_email):
    app = app_without_email  # the link is read off the page
    _, email, secret = make_user(app)
    with time_machine.travel(T0, tick=False) as traveller:
        admin = app.test_client()
        sign_in(admin, email, secret)
        with app.app_context():
            org_id = db.session.scalar(sa.select(Organisation.id))
        html = _post(admin, "/admin/users/invite", {**ELIGIBLE,
            "name": "Pat", "email": "pat@hilltop.example", "role": "data_entry",
            "organisation": str(org_id)}).get_data(as_text=True)
        path = re.search(r'id="invitation-link">http://localhost([^<]+)<', html).group(1)
        traveller.shift(timedelta(hours=72, seconds=1))
        response = app.test_client().get(path)
        assert response.status_code == 404
        assert "expired" in response.get_data(as_text=True)


def test_only_admins_invite(app):
    _, email, secret = make_user(app, role="practitioner")
    client = app.test_client()
    sign_in(client, email, secret)
    assert client.get("/admin/users/invite").status_code == 403


def test_setting_admin_cannot_invite_into_another_organisation(app):
    make_user(app, email="host@la.example", organisation="County Council")
    _, email, secret = make_user(app, email="sa@hilltop.example", organisation="Hilltop School")
    with app.app_context():
        host_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.is_host))
    client = app.test_client()
    sign_in(client, email, secret)
    response = _post(client, "/admin/users/invite", {**ELIGIBLE,
        "name": "Mole", "email": "mole@la.example", "role": "admin", "organisation": str(host_id)})
    assert response.status_code == 422
    assert "County Council" not in client.get("/admin/users").get_data(as_text=True)


def test_changing_password_ends_every_session(app):
    _, email, secret = make_user(app)
    with time_machine.travel(T0, tick=False) as traveller:
        client = app.test_client()
        sign_in(client, email, secret)
        new = "quiet meadow copper violin"
        wrong = _post(client, "/account/password", {"current": "nope", "password": new,
                                                    "confirm": new})
        assert wrong.status_code == 422
        response = _post(client, "/account/password", {"current": PASSWORD, "password": new,
                                                       "confirm": new})
        assert response.status_code == 302 and response.location.endswith("/sign-in")
        assert client.get("/").status_code == 302
        traveller.shift(timedelta(seconds=30))
        assert sign_in(app.test_client(), email, secret).status_code == 401
        traveller.shift(timedelta(seconds=30))
        assert sign_in(app.test_client(), email, secret, password=new).status_code == 302


def test_reenrolling_the_authenticator_needs_a_new_sign_in(app):
    _, email, secret = make_user(app)
    with time_machine.travel(T0, tick=False) as traveller:
        client = app.test_client()
        sign_in(client, email, secret)
        assert _post(client, "/account/authenticator", {"current": PASSWORD}).status_code == 302
        html = client.get("/account/authenticator/confirm").get_data(as_text=True)
        new_secret = re.search(r'id="totp-key">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
        traveller.shift(timedelta(seconds=30))
        response = _post(client, "/account/authenticator/confirm",
                         {"code": pyotp.TOTP(new_secret).now()}, page="/account/authenticator/confirm")
        assert response.status_code == 200 and "recovery codes" in response.get_data(as_text=True)
        assert client.get("/").status_code == 302
        traveller.shift(timedelta(seconds=30))
        assert sign_in(app.test_client(), email, secret).status_code == 401  # old app
        traveller.shift(timedelta(seconds=30))
        assert sign_in(app.test_client(), email, new_secret).status_code == 302


def test_a_wrong_current_password_and_a_weak_new_one_are_both_reported(app):
    """One try tells the user everything that is wrong, as before the refactor."""
    _, email, secret = make_user(app)
    client = app.test_client()
    sign_in(client, email, secret)
    response = _post(client, "/account/password", {"current": "nope", "password": "password1",
                                                    "confirm": "password1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Your current password is not right" in page
    assert page.count("govuk-error-message") >= 2, page


def test_the_setup_link_is_printed_for_the_public_address(make_app):
    """Tried as a new operator on a fresh install behind a proxy: with PUBLIC_BASE_URL on
    a real host name `setup-link` crashed (its request context was for localhost, which the
    trusted hosts refuse, so no URL could be built)."""
    app = make_app(PUBLIC_BASE_URL="https://teamaround.example.org:8443",
                   TRUSTED_HOSTS=["teamaround.example.org"])
    result = app.test_cli_runner().invoke(args=["setup-link"])
    assert result.exit_code == 0, result.output
    assert re.search(r"https://teamaround\.example\.org:8443/setup/\S+", result.output)
