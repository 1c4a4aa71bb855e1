"""Small helpers every view uses: fragment-or-page rendering, client address, audit context."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, current_app, flash, make_response, render_template, request
from flask_login import current_user

from app.core.errors import Refused
from app.services import audit


def public(view):
    """Mark a view as reachable without signing in (the gate checks this flag)."""
    view.is_public = True
    return view


def wants_fragment() -> bool:
    """True for an htmx request that is not a history restore: it gets the fragment only."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def render_page(page: str, fragment: str | None = None, status: int = 200, **context):
    """Render the full page, or only its fragment for htmx; adds Vary: HX-Request."""
    template = fragment if fragment and wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def client_ip() -> str | None:
    """The client's address (ProxyFix applies TRUST_PROXY_HOPS before this)."""
    return request.remote_addr


def audit_event(action: str, **fields):
    """Record an audit event for the signed-in user from this request."""
    if current_user.is_authenticated:
        fields.setdefault("actor_user_id", current_user.id)
        fields.setdefault("organisation_id", current_user.organisation_id)
    return audit.record(action, ip=client_ip(), **fields)


def download(body: bytes | str, filename: str, mimetype: str = "application/pdf") -> Response:
    """A file to save (a PDF unless said otherwise)."""
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def safe_next(target: str | None) -> str | None:
    """Accept only a local path as a post-sign-in destination."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def base_url() -> str:
    """Public base URL (scheme and host) for links shown to be sent on; url_for adds the path."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


class refusal:  # a lower-case name: it reads as a statement, "with refusal(field):"
    """Show a service's refusal on the page that asked: beside a form field, or as a
    message at the top when there is none. The service has already undone its work.

        with refusal(form.reason):
            shielding.review(...)
            return redirect(...)      # reached only when the service agreed
        return render_template(...)   # the page again, with the error on the field
    """

    def __init__(self, field=None):
        self.field, self.message = field, None

    def __enter__(self):
        return self

    def __exit__(self, kind, error, _traceback) -> bool:
        if kind is None or not issubclass(kind, Refused):
            return False
        self.message = str(error)
        if self.field is not None:
            self.field.errors.append(self.message)
        else:
            flash(self.message, "info")
        return True
