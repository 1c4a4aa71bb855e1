"""Signing in: two steps, replay-proof TOTP, lockout, recovery codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.models import AuditEvent, RecoveryCode, User
from app.services import totp
from tests.conftest import PASSWORD, code_for, csrf_token, make_user, sign_in

T0 = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)  # 10 s into a 30 s step


def _events(app, action=None):
    with app.app_context():
        query = sa.select(AuditEvent).order_by(AuditEvent.seq)
        if action:
            query = query.where(AuditEvent.action == action)
        return [(e.action, e.outcome, e.actor_user_id) for e in db.session.scalars(query)]


def test_password_alone_does_not_sign_in(app, client):
    _, email, _ = make_user(app)
    token = csrf_token(client)
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD,
                                             "csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/sign-in/code")
    assert client.get("/").status_code == 302  # home still needs the code


def test_full_sign_in_regenerates_the_session(app, client):
    _, email, secret = make_user(app)
    client.get("/sign-in")
    before = client.get_cookie("teamaround").value
    response = sign_in(client, email, secret)
    assert response.status_code == 302
    after = client.get_cookie("teamaround").value
    assert before != after
    assert client.get("/").status_code == 200
    assert ("sign_in", "success", 1) in _events(app, "sign_in")


def test_unknown_email_and_wrong_password_look_the_same(app, client):
    _, email, _ = make_user(app)
    token = csrf_token(client)
    unknown = client.post("/sign-in", data={"email": "nobody@hilltop.example",
                                            "password": PASSWORD, "csrf_token": token})
    wrong = client.post("/sign-in", data={"email": email, "password": "wrong " + PASSWORD,
                                          "csrf_token": token})
    assert unknown.status_code == wrong.status_code == 401

    def message(response):
        html = response.get_data(as_text=True)
        return html[html.index("govuk-error-summary__body"):][:400]

    assert message(unknown) == message(wrong)


def test_previous_step_accepted_but_not_two_back_or_ahead(app, client):
    user_id, email, secret = make_user(app)
    otp = pyotp.TOTP(secret)
    with time_machine.travel(T0, tick=False):
        step = int(T0.timestamp()) // 30
        for offset in (-2, 1):
            response = sign_in(client, email, secret, code=otp.generate_otp(step + offset))
            assert response.status_code == 401
        response = sign_in(client, email, secret, code=otp.generate_otp(step - 1))
        assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).totp_last_step == step - 1


def test_replayed_code_is_refused_and_audited(app):
    _, email, secret = make_user(app)
    with time_machine.travel(T0, tick=False):
        code = code_for(secret)
        first, second = app.test_client(), app.test_client()
        assert sign_in(first, email, secret, code=code).status_code == 302
        assert sign_in(second, email, secret, code=code).status_code == 401
        assert second.get("/").status_code == 302
    assert _events(app, "totp.replay_refused") == [("totp.replay_refused", "refused", 1)]


def test_claim_step_lets_only_one_of_two_racers_win(app):
    user_id, _, _ = make_user(app)
    with app.app_context():
        assert totp.claim_step(user_id, 1000) is True
        assert totp.claim_step(user_id, 1000) is False
        assert totp.claim_step(user_id, 999) is False
        db.session.commit()


def test_eleventh_attempt_is_locked_and_the_lock_survives_a_restart(app, make_app):
    _, email, secret = make_user(app)
    client = app.test_client()
    with time_machine.travel(T0, tick=False):
        for _ in range(10):
            assert sign_in(client, email, secret, password="not the password at all").status_code == 401
        restarted = make_app()  # a new process on the same database
        other = restarted.test_client()
        assert sign_in(other, email, secret).status_code == 401  # right password, still locked
    assert ("account.locked", "success", 1) in _events(app, "account.locked")
    with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
        assert sign_in(restarted.test_client(), email, secret).status_code == 302


def test_wrong_codes_count_towards_the_lock(app, client):
    _, email, secret = make_user(app)
    with time_machine.travel(T0, tick=False):
        for _ in range(10):
            assert sign_in(client, email, secret, code="000000").status_code == 401
        assert sign_in(app.test_client(), email, secret).status_code == 401


def test_recovery_codes_are_hashed_and_single_use(app, client):
    user_id, email, secret = make_user(app)
    with app.app_context():
        codes = totp.issue_recovery_codes(user_id)
        db.session.commit()
        stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(codes) == 10 and len(stored) == 10
    assert not any(code.replace("-", "") in stored for code in codes)
    assert sign_in(client, email, secret, code=codes[0]).status_code == 302
    again = app.test_client()
    assert sign_in(again, email, secret, code=codes[0]).status_code == 401
    assert sign_in(again, email, secret, code=codes[1]).status_code == 302


def test_pending_sign_in_expires(app, client):
    _, email, secret = make_user(app)
    with time_machine.travel(T0, tick=False) as traveller:
        token = csrf_token(client)
        client.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token})
        traveller.shift(timedelta(minutes=6))
        response = client.get("/sign-in/code")
        assert response.status_code == 302 and response.location.endswith("/sign-in")


def test_a_wrong_code_leaves_the_box_empty_and_marked(app, client):
    """Issue 17: a wrong sign-in code stayed in the box, unmarked."""
    import re

    _, email, secret = make_user(app)
    with time_machine.travel(T0, tick=False):
        token = csrf_token(client)
        client.post("/sign-in", data={"email": email, "password": PASSWORD,
                                      "csrf_token": token})
        wrong = "000000" if code_for(secret) != "000000" else "111111"
        response = client.post("/sign-in/code", data={
            "code": wrong, "csrf_token": csrf_token(client, "/sign-in/code")})
    html = response.get_data(as_text=True)
    assert response.status_code == 401 and "<title>Error: Enter your code" in html
    field = re.search(r'<input[^>]*id="code"[^>]*>', html).group(0)
    assert "govuk-input--error" in field and wrong not in field
    assert 'value=""' in field or "value=" not in field
    assert 'aria-describedby="code-hint code-error"' in field or "code-error" in field
    assert re.search(r'govuk-error-summary.*href="#code"', html, re.S)
