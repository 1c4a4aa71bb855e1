"""Baseline protections: default-deny routes, CSRF everywhere, headers on every response."""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.security import PUBLIC_ENDPOINTS
from tests.conftest import BASE_CONFIG, make_user, sign_in

# Every endpoint reachable without signing in, on purpose. Adding one means editing this.
EXPECTED_PUBLIC = {
    "static", "main.healthz", "main.livez", "auth.sign_in", "auth.sign_in_code", "enrol.setup_link",
    "enrol.setup", "enrol.accept", "enrol.password", "enrol.authenticator",
    "enrol.reenrol_link", "enrol.reenrol", "documents.link", "documents.collect",
    "documents.ready", "documents.report", "main.words",
}


def _url(rule) -> str:
    """A concrete URL for the rule: 1 for ints, the first choice for any(), x otherwise."""
    def value(match):
        converter = match.group(0)
        if converter.startswith("<int:"):
            return "1"
        if converter.startswith("<any("):
            return converter[5:].split(",")[0].split(")")[0].strip()
        return "x"
    return re.sub(r"<[^>]+>", value, rule.rule)


def _rules(app, method):
    return [r for r in app.url_map.iter_rules() if method in r.methods]


def test_public_endpoints_are_exactly_the_expected_list(app):
    flagged = {endpoint for endpoint, view in app.view_functions.items()
               if getattr(view, "is_public", False)} | set(PUBLIC_ENDPOINTS)
    assert flagged == EXPECTED_PUBLIC


def test_every_other_route_needs_sign_in(app, client):
    checked = 0
    for rule in _rules(app, "GET"):
        if rule.endpoint in EXPECTED_PUBLIC:
            continue
        response = client.get(_url(rule))
        assert response.status_code == 302, rule.rule
        assert response.location.endswith("/sign-in"), rule.rule
        htmx = client.get(_url(rule), headers={"HX-Request": "true"})
        assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].endswith("/sign-in")
        checked += 1
    assert checked >= 8


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_post_route_refuses_a_missing_csrf_token(app, signed_in):
    client = app.test_client()
    if signed_in:
        _, email, secret = make_user(app)
        assert sign_in(client, email, secret).status_code == 302
    rules = _rules(app, "POST")
    assert len(rules) >= 10
    for rule in rules:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(_url(rule), data={"email": "x@y.example"}, headers=headers)
            assert response.status_code == 400, rule.rule
            assert "This form has expired" in response.get_data(as_text=True)


def test_a_token_from_another_session_is_refused(app):
    _, email, secret = make_user(app)
    mine, theirs = app.test_client(), app.test_client()
    sign_in(mine, email, secret)
    html = theirs.get("/sign-in").get_data(as_text=True)
    their_token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    response = mine.post("/account/sessions/end-all", data={"csrf_token": their_token})
    assert response.status_code == 400
    assert mine.get("/").status_code == 200


def _assert_security_headers(response, authenticated=True):
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    for part in ("default-src 'self'", "object-src 'none'", "base-uri 'none'",
                 "frame-ancestors 'none'", "script-src 'self'"):
        assert part in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    if authenticated:
        assert headers["Cache-Control"] == "no-store"


def test_headers_on_pages_fragments_and_error_pages(app):
    _, email, secret = make_user(app)
    client = app.test_client()
    _assert_security_headers(client.get("/sign-in"))
    sign_in(client, email, secret)
    _assert_security_headers(client.get("/"))
    fragment = client.get("/account/sessions", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    _assert_security_headers(fragment)
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "Page not found" in missing.get_data(as_text=True)
    _assert_security_headers(missing)
    forbidden = app.test_client()
    _, p_email, p_secret = make_user(app, email="pat@hilltop.example", role="practitioner")
    sign_in(forbidden, p_email, p_secret)
    refused = forbidden.get("/admin/users")
    assert refused.status_code == 403
    _assert_security_headers(refused)
    _assert_security_headers(client.get("/healthz"))
    _assert_security_headers(client.get("/static/js/teamaround.js"), authenticated=False)


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers
    secure = client.get("/sign-in", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_production_cookies_are_secure_httponly_lax(database_url, monkeypatch):
    monkeypatch.delenv("TEAMAROUND_PLAIN_HTTP", raising=False)
    config = {k: v for k, v in BASE_CONFIG.items()
              if k not in {"SESSION_COOKIE_SECURE", "SESSION_COOKIE_NAME", "WTF_CSRF_SSL_STRICT"}}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": database_url})
    response = app.test_client().get("/sign-in", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-teamaround=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Expires" not in cookie and "Max-Age" not in cookie  # no remember-me


def test_sign_in_is_rate_limited_per_address(make_app):
    app = make_app(RATELIMIT_SIGN_IN="3 per minute")
    client = app.test_client()
    statuses = [client.post("/sign-in", data={}).status_code for _ in range(4)]
    assert statuses[-1] == 429
    assert "Too many attempts" in client.post("/sign-in", data={}).get_data(as_text=True)


def test_unsafe_next_is_ignored(app):
    from app.views._common import safe_next

    assert safe_next("/account/sessions") == "/account/sessions"
    for bad in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:x"):
        assert safe_next(bad) is None


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"


def test_one_time_tokens_are_redacted_from_request_logs():
    import logging

    from app.security import RedactLinkTokens

    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                               '%s - - "%s" %s', ("127.0.0.1", "GET /invitation/abc-DEF_123 HTTP/1.1",
                                                  "302"), None)
    RedactLinkTokens().filter(record)
    assert "abc-DEF_123" not in record.getMessage()
    assert "/invitation/[token]" in record.getMessage()


def test_an_unexpected_error_rolls_back_and_shows_a_friendly_page(app):
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import AuditEvent
    from app.services import audit
    from app.views._common import public

    @public
    def boom():
        audit.record("half.done")
        raise RuntimeError("boom")

    app.add_url_rule("/boom", "boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Sorry, there is a problem" in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_every_rate_limit_is_one_the_limiter_checks(app):
    """The limiter skips at once every request outside the blueprints limit_posts names (it
    spent 3% of every request finding that none of its limits applied): a limit set any
    other way would never be checked."""
    from app.extensions import LIMITED, limiter

    manager = limiter.limit_manager
    assert set(manager._blueprint_limits) == LIMITED == {"auth", "documents", "enrol"}
    assert not manager._decorated_limits and not manager._application_limits
    assert not manager._default_limits
