"""Server-side sessions: idle and absolute timeouts, logout that kills copied cookies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from app.security import BACKGROUND_HEADER
from tests.conftest import csrf_token, make_user, sign_in

T0 = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)


def _signed_in(app):
    _, email, secret = make_user(app)
    client = app.test_client()
    assert sign_in(client, email, secret).status_code == 302
    return client


def test_idle_timeout_signs_out(app):
    with time_machine.travel(T0, tick=False) as traveller:
        client = _signed_in(app)
        traveller.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=29))  # active 29 minutes ago: still fine
        assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get("/")
        assert response.status_code == 302 and response.location.endswith("/sign-in")
        assert "had not used TeamAround" in client.get("/sign-in").get_data(as_text=True)


def test_background_polling_does_not_extend_the_idle_timer(app):
    with time_machine.travel(T0, tick=False) as traveller:
        client = _signed_in(app)
        for _ in range(3):  # polls at 9, 18 and 27 minutes
            traveller.shift(timedelta(minutes=9))
            assert client.get("/account/sessions", headers={
                "HX-Request": "true", BACKGROUND_HEADER: "1"}).status_code == 200
        traveller.shift(timedelta(minutes=4))  # 31 minutes since the last real activity
        response = client.get("/", headers={"HX-Request": "true"})
        assert response.status_code == 401
        assert response.headers["HX-Redirect"].endswith("/sign-in")


def test_absolute_timeout_ends_even_an_active_session(app):
    with time_machine.travel(T0, tick=False) as traveller:
        client = _signed_in(app)
        for _ in range(35):  # 11 h 40 min of steady activity
            traveller.shift(timedelta(minutes=20))
            assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=20))
        assert client.get("/").status_code == 302


def test_copied_cookie_is_dead_after_logout(app):
    client = _signed_in(app)
    stolen = client.get_cookie("teamaround").value
    thief = app.test_client()
    thief.set_cookie("teamaround", stolen)
    assert thief.get("/").status_code == 200  # the copy works while the session lives
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/").status_code == 302
    assert thief.get("/").status_code == 302


def test_sign_out_everywhere_ends_other_browsers(app):
    _, email, secret = make_user(app)
    with time_machine.travel(T0, tick=False) as traveller:
        laptop, phone = app.test_client(), app.test_client()
        assert sign_in(laptop, email, secret).status_code == 302
        traveller.shift(timedelta(seconds=30))
        assert sign_in(phone, email, secret).status_code == 302
        page = laptop.get("/account/sessions").get_data(as_text=True)
        assert page.count("govuk-table__row") == 3  # header + two sessions
        laptop.post("/account/sessions/end-all",
                    data={"csrf_token": csrf_token(laptop, "/account/sessions")})
        assert laptop.get("/").status_code == 302
        assert phone.get("/").status_code == 302


def test_ending_one_other_session_by_htmx(app):
    _, email, secret = make_user(app)
    with time_machine.travel(T0, tick=False) as traveller:
        laptop, phone = app.test_client(), app.test_client()
        sign_in(laptop, email, secret)
        traveller.shift(timedelta(seconds=30))
        sign_in(phone, email, secret)
        from app.extensions import db
        from app.models import UserSession
        with app.app_context():
            first = db.session.query(UserSession).order_by(UserSession.id).first().id
        token = csrf_token(phone, "/account/sessions")
        response = phone.post(f"/account/sessions/{first}/end",
                              headers={"HX-Request": "true", "X-CSRFToken": token})
        assert response.status_code == 200
        assert "<html" not in response.get_data(as_text=True)  # a fragment
        assert "HX-Request" in response.headers["Vary"]
        assert laptop.get("/").status_code == 302
        assert phone.get("/").status_code == 200


def test_cannot_end_someone_elses_session(app):
    _, email, secret = make_user(app)
    _, other_email, other_secret = make_user(app, email="bob@hilltop.example", name="Bob",
                                             role="practitioner")
    ann, bob = app.test_client(), app.test_client()
    sign_in(ann, email, secret)
    sign_in(bob, other_email, other_secret)
    response = bob.post("/account/sessions/1/end",
                        data={"csrf_token": csrf_token(bob, "/account/sessions")})
    assert response.status_code == 404
    assert ann.get("/").status_code == 200
