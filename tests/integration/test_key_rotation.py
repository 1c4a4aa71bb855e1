"""Key rotation (issue 19): SECRET_KEY with SECRET_KEY_FALLBACKS (people stay signed in
while the old key is still accepted), TOTP_ENCRYPTION_KEY with `flask keys rotate` (every
secret at rest encrypted again under the new key, after which the old one can go)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, User
from app.services import crypto
from tests.conftest import BASE_CONFIG, make_user, sign_in

OLD_SECRET, OLD_TOTP = BASE_CONFIG["SECRET_KEY"], BASE_CONFIG["TOTP_ENCRYPTION_KEY"]


def _carry(cookie_from, app):
    """A client of `app` holding the other client's session cookie (a browser across a
    restart of the server with new settings)."""
    client = app.test_client()
    cookie = cookie_from.get_cookie("teamaround")
    client.set_cookie(cookie.key, cookie.value)
    return client


def test_a_new_secret_key_keeps_people_signed_in_while_the_old_is_a_fallback(make_app,
                                                                            monkeypatch):
    app = make_app()
    _, email, secret = make_user(app)
    browser = app.test_client()
    assert sign_in(browser, email, secret).status_code == 302
    assert browser.get("/").status_code == 200
    monkeypatch.setenv("SECRET_KEY_FALLBACKS", f"an older key, {OLD_SECRET}")
    rotated = make_app(SECRET_KEY="the new secret key")
    assert _carry(browser, rotated).get("/").status_code == 200
    monkeypatch.delenv("SECRET_KEY_FALLBACKS")
    without = make_app(SECRET_KEY="the new secret key")
    assert without.test_client().get("/").status_code == 302
    gone = _carry(browser, without).get("/")
    assert gone.status_code == 302 and "/sign-in" in gone.location


def test_rotating_the_totp_key_encrypts_every_secret_again(make_app, monkeypatch):
    app = make_app()
    user_id, email, secret = make_user(app)
    monkeypatch.setenv("TOTP_ENCRYPTION_KEY_FALLBACKS", OLD_TOTP)
    halfway = make_app(TOTP_ENCRYPTION_KEY="the new totp key")
    monkeypatch.delenv("TOTP_ENCRYPTION_KEY_FALLBACKS")
    assert sign_in(halfway.test_client(), email, secret).status_code == 302  # still opens
    with halfway.app_context():
        before = db.session.get(User, user_id).totp_secret_enc
    done = halfway.test_cli_runner().invoke(args=["keys", "rotate"])
    assert done.exit_code == 0 and "Encrypted again under the current key" in done.output
    with halfway.app_context():
        assert db.session.get(User, user_id).totp_secret_enc != before
        assert db.session.scalar(sa.select(sa.func.count()).where(
            AuditEvent.action == "keys.rotated")) == 1
    rotated = make_app(TOTP_ENCRYPTION_KEY="the new totp key")  # the old key gone
    with rotated.app_context():
        assert crypto.decrypt(db.session.get(User, user_id).totp_secret_enc) == secret
    with app.app_context(), pytest.raises(ValueError):  # the old key alone no longer opens it
        crypto.decrypt(db.session.get(User, user_id).totp_secret_enc)


def test_a_rotation_without_the_old_key_changes_nothing(make_app):
    app = make_app()
    user_id, _, _ = make_user(app)
    with app.app_context():
        before = db.session.get(User, user_id).totp_secret_enc
    wrong = make_app(TOTP_ENCRYPTION_KEY="the new totp key")
    done = wrong.test_cli_runner().invoke(args=["keys", "rotate"])
    assert done.exit_code == 1 and "Nothing was changed" in done.output
    with app.app_context():
        assert db.session.get(User, user_id).totp_secret_enc == before
