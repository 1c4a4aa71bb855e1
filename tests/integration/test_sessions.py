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


def test_every_page_warns_before_the_idle_time_out_and_can_keep_the_session(app):
    """Issue 17 (WCAG 2.2.1): no warning came before the idle time-out. Each page now
    carries the seconds left and a dialog that offers to stay signed in; "Stay signed in"
    starts the idle timer again and says how long is left."""
    import re

    with time_machine.travel(T0, tick=False) as traveller:
        client = _signed_in(app)
        traveller.shift(timedelta(minutes=10))
        page = client.get("/").get_data(as_text=True)
        left = re.search(r'data-ta-timeout="(\d+)" data-ta-warn="(\d+)"', page)
        assert left and int(left.group(1)) == 30 * 60 and left.group(2) == "120"
        assert 'id="ta-timeout-dialog"' in page and "Stay signed in" in page
        traveller.shift(timedelta(minutes=20))
        page = client.get("/account/sessions", headers={"HX-Request": "true",
                                                         BACKGROUND_HEADER: "1"})
        assert "X-Session-Seconds-Left" not in page.headers  # polling is not activity
        asked = client.get("/account/keep-alive", headers={BACKGROUND_HEADER: "1"})
        assert asked.json == {"seconds_left": 10 * 60}  # asking how long is left: no touch
        kept = client.post("/account/keep-alive", headers={
            "X-CSRFToken": csrf_token(client, "/")})  # the page's own request counted too
        assert kept.status_code == 200 and kept.json == {"seconds_left": 30 * 60}
        traveller.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200  # 59 minutes after the page was opened
        looked = client.get("/children/", headers={"HX-Request": "true"})
        assert looked.headers["X-Session-Seconds-Left"] == str(30 * 60)


def test_after_timing_out_mid_form_signing_in_again_returns_to_that_form(app):
    """Issue 17: a half-typed child was lost and, after signing in again, the person
    landed on the home page. The draft's saved steps survive; the form sent after the
    time-out brings them back to its page (an htmx request, to the page it was on)."""
    from tests.integration.children_helpers import details

    _, email, secret = make_user(app, role="data_entry")
    with time_machine.travel(T0, tick=False) as traveller:
        client = app.test_client()
        sign_in(client, email, secret)
        start = client.post("/children/new",
                            data={"csrf_token": csrf_token(client, "/children/")})
        step = start.location
        client.post(step, data={**details(), "date_of_birth": ["14", "2", "2016"],
                                "other_names": "", "address_line2": "",
                                "csrf_token": csrf_token(client, "/")})
        identifiers = step.rsplit("/", 1)[0] + "/identifiers"
        token = csrf_token(client, identifiers)
        traveller.shift(timedelta(minutes=31))
        late = client.post(identifiers, data={"upn": "", "csrf_token": token})
        assert late.status_code == 302 and late.location.endswith("/sign-in")
        back = sign_in(client, email, secret)
        assert back.location.endswith(identifiers)
        draft = client.get(step).get_data(as_text=True)
        assert "O&#39;Neill" in draft or "O'Neill" in draft  # the saved step survived
        token = csrf_token(client, "/")
        traveller.shift(timedelta(minutes=31))
        live = client.post("/children/validate/identifiers/upn", headers={
            "HX-Request": "true", "HX-Current-URL": f"http://localhost{identifiers}"},
            data={"csrf_token": token})
        assert live.status_code == 401
        assert sign_in(client, email, secret).location.endswith(identifiers)
