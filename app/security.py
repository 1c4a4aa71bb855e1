"""Who is signed in, the default-deny gate, and the headers every response carries."""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_to_bytes, urlsplit

from flask import abort, current_app, flash, g, jsonify, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from app.extensions import db, htmx, login_manager
from app.services import actor, eligibility, sessions

# Endpoints with no view function of ours to flag with @public.
PUBLIC_ENDPOINTS = frozenset({"static"})
# All a signed-in user whose eligibility has lapsed can reach.
ELIGIBILITY_OPEN = frozenset({"auth.sign_out", "eligibility.status", "eligibility.policy"})
# htmx polling sends this header; it must not keep an idle session alive.
BACKGROUND_HEADER = "X-TeamAround-Background"

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])

ENDED_MESSAGES = {
    "idle": "You were signed out because you had not used TeamAround for a while. "
            "Sign in again to carry on.",
    "absolute": "You were signed out because your session reached its time limit. "
                "Sign in again to carry on.",
    "revoked": "You have been signed out. Sign in again to carry on.",
}


@login_manager.user_loader
def load_user(user_id: str):
    """Resolve the signed-in user through the server-side session record, or nobody.
    htmx polling (the background header) does not keep an idle session alive."""
    user, record, ended = sessions.resolve(
        session.get("sid"), user_id, background=request.headers.get(BACKGROUND_HEADER) == "1")
    if ended:
        g.session_ended = ended
    if record is not None:
        g.user_session_id, g.user_session = record.id, record
    return user


def session_seconds_left() -> int | None:
    """How long the signed-in person's session lives without more activity (None when
    nobody is signed in): the page's time-out warning counts down from it."""
    record = g.get("user_session")
    return sessions.seconds_left(record) if record is not None else None


@login_manager.unauthorized_handler
def unauthorised():
    """Send anonymous users to sign in; htmx gets HX-Redirect so the whole page reloads."""
    ended = g.get("session_ended")
    session.pop("_user_id", None)
    session.pop("sid", None)
    if ended:
        flash(ENDED_MESSAGES[ended], "info")
    if _wants_json():  # the time-out warning's own fetch: a redirect it followed would
        # render the sign-in page, and so spend the message, where nobody sees it; the
        # page then goes to itself, which brings the person to sign in with the message
        response = jsonify(error="sign in required")
        response.status_code = 401
        return response
    back = _page_to_return_to()
    if back:
        session["next"] = back
    return _send_to(url_for("auth.sign_in"), 401, "sign in required")


def _wants_json() -> bool:
    """A script's fetch asking for JSON (not htmx, not a page)."""
    return not htmx and request.accept_mimetypes.best == "application/json"


def _page_to_return_to() -> str | None:
    """The page to come back to after signing in again: the one asked for; for a form
    sent after the time-out, the page the form is on (what it had saved is still there:
    a draft keeps each step); for htmx, the page it was working in."""
    if htmx:
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        return (current.path + (f"?{current.query}" if current.query else "")) \
            if current.netloc == request.host and current.path else None
    if request.method == "GET":
        return request.full_path.rstrip("?")
    try:
        current_app.url_map.bind_to_environ(request.environ).match(request.path,
                                                                   method="GET")
    except HTTPException:
        return None
    return request.path


def _send_to(target: str, status: int, why: str):
    """A redirect; for htmx, the status with HX-Redirect so that the whole page reloads."""
    if not htmx:
        return redirect(target)
    response = jsonify(error=why)
    response.status_code = status
    response.headers["HX-Redirect"] = target
    return response


UNREADABLE = ("Your browser sent text that could not be read. Go back, type it again and "
              "send it once more.")


def _readable(raw: bytes) -> bool:
    """Every name and value of a URL-encoded form or query string is UTF-8."""
    try:
        for part in raw.split(b"&"):
            unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def refuse_unreadable():
    """Browsers send UTF-8: refuse anything else at the door (400), before any form sees
    it, rather than store the replacement characters or the percent-escapes."""
    if not _readable(request.query_string):
        abort(400, description=UNREADABLE)
    if request.mimetype == "application/x-www-form-urlencoded" and not _readable(
            request.get_data(cache=True)):
        abort(400, description=UNREADABLE)


def _begin_acting():
    """Until someone signs in, events of this request are nobody's, from this address."""
    g.actor_token = actor.begin(None, request.remote_addr)


def _end_acting(_error=None):
    token = g.pop("actor_token", None)
    if token is not None:
        actor.end(token)


def _check_unsaved(response):
    """Every write commits inside a service's unit of work. A refused or failed request
    (4xx, 5xx) changes nothing, so what it wrote is undone; after a successful one, a
    write left over was made outside a unit of work: tests fail loudly, in service it is
    rolled back and logged."""
    from flask import current_app

    from app.database import unsaved_writes

    if unsaved_writes(db.session):
        db.session.rollback()
        if response.status_code >= 400:
            return response
        if current_app.config.get("TESTING"):
            raise AssertionError(f"uncommitted writes after {request.endpoint}: a write "
                                 "outside a service's unit of work")
        current_app.logger.error("uncommitted writes discarded after %s", request.endpoint)
    return response


def _gate():
    """Default deny: every endpoint needs a signed-in user unless flagged public."""
    from flask import current_app
    from flask_login import current_user

    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "is_public", False):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    actor.begin(current_user, request.remote_addr)
    if request.endpoint not in ELIGIBILITY_OPEN and eligibility.lapses(current_user):
        return _send_to(url_for("eligibility.status"), 403, "access lapsed")
    return None


def _headers(response):
    """Security headers on every response, error pages and fragments included."""
    headers = response.headers
    headers["Content-Security-Policy"] = CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    if htmx and request.headers.get(BACKGROUND_HEADER) != "1" and g.get("user_session"):
        headers["X-Session-Seconds-Left"] = str(session_seconds_left())
    return response


class RedactLinkTokens(logging.Filter):
    """Keep one-time setup and invitation tokens out of request logs."""

    PATTERN = re.compile(r"/(setup|invitation)/[A-Za-z0-9_\-]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.PATTERN.sub(r"/\1/[token]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _public_address(app) -> None:
    """Only the public address's host is answered (TRUSTED_HOSTS, from PUBLIC_BASE_URL
    unless set): a request naming another Host gets 400, so no URL the app builds (such as
    the redirect that adds a trailing slash) can point elsewhere. Proxy headers are
    believed only from TRUST_PROXY_HOPS proxies (none by default)."""
    if app.config.get("TRUSTED_HOSTS") is None:
        host = urlsplit(app.config["PUBLIC_BASE_URL"]).hostname or "localhost"
        app.config["TRUSTED_HOSTS"] = list(LOOPBACK) if host in LOOPBACK else [host]
    hops = app.config.get("TRUST_PROXY_HOPS", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


class _CookieSessions(SecureCookieSessionInterface):
    """Flask's signed session cookie, its signing serializer made once for each set of
    keys: Flask makes a new one for every request (0.7% of a search -> reason -> page
    cycle). A changed key (or fallback) makes a new one."""

    def __init__(self) -> None:
        self._made: tuple = (None, None)

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made_for, serializer = self._made
        if made_for != keys:
            serializer = super().get_signing_serializer(app)
            self._made = (keys, serializer)
        return serializer


def init_app(app) -> None:
    """Wire the gate, the headers and Flask-Login into the app."""
    app.session_interface = _CookieSessions()
    login_manager.session_protection = None  # the server-side session record does this job
    _public_address(app)
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactLinkTokens) for f in logger.filters):
            logger.addFilter(RedactLinkTokens())
    app.before_request(_begin_acting)
    app.before_request(_gate)
    app.after_request(_headers)
    app.after_request(_check_unsaved)
    app.teardown_request(_end_acting)
