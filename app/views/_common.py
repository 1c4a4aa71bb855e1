"""Small helpers every view uses: fragment or page, downloads, safe redirects, refusals."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Response,
    current_app,
    flash,
    g,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.core.errors import Refused
from app.extensions import htmx
from app.services import navigation


def public(view):
    """Mark a view as reachable without signing in (the gate checks this flag)."""
    view.is_public = True
    return view


def wants_htmx() -> bool:
    """True for a request htmx made (flask-htmx reads its headers)."""
    return bool(htmx)


def wants_fragment() -> bool:
    """True for an htmx request that is not a history restore: it gets the fragment only."""
    return bool(htmx) and not htmx.history_restore_request


def render_page(page: str, fragment: str | None = None, status: int = 200, **context):
    """Render the full page, or only its fragment for htmx; adds Vary: HX-Request."""
    template = fragment if fragment and wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def download(body: bytes | str, filename: str, mimetype: str = "application/pdf", *,
             inline: bool = False) -> Response:
    """A file to save (a PDF unless said otherwise), or to open in the browser."""
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'{"inline" if inline else "attachment"}; '
                               f'filename="{filename}"'})


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

    def __init__(self, field=None, *, quiet: bool = False):
        self.field, self.quiet, self.message = field, quiet, None

    def __enter__(self):
        return self

    def __exit__(self, kind, error, _traceback) -> bool:
        if kind is None or not issubclass(kind, Refused):
            return False
        self.message = str(error)
        if self.field is not None:
            self.field.errors.append(self.message)
        elif not self.quiet:  # quiet: the page shows refusal.message itself
            flash(self.message, "info")
        return True


def live_params(form_name: str, field_name: str) -> dict:
    """GOV.UK macro params that make a field check itself with htmx when the person leaves
    it (a change, not each key: nothing is judged while still being typed). The answer
    replaces the field's form group (children/_live.html) and its live region."""
    return {"attributes": {
        "hx-post": url_for("children.validate_field", form_name=form_name, field=field_name),
        "hx-trigger": "change",
        "hx-target": f"#{field_name}-wrap",
        "hx-select": f"#{field_name}-wrap",
        "hx-select-oob": f"#{field_name}-live:innerHTML",  # the region stays: it is heard
        "hx-swap": "outerHTML",
        "hx-sync": "this:replace",
    }}


def service_navigation() -> list[dict]:
    """The signed-in person's service navigation, the current section marked (for
    govukServiceNavigation in base.html)."""
    if not current_user.is_authenticated:
        return []
    found = navigation.sections(current_user)
    here = navigation.current(found, request.endpoint)
    return [{"href": url_for(s.endpoint), "text": s.label, "active": s == here,
             "current": s == here and request.endpoint == s.endpoint} for s in found]


def record_back() -> str | None:
    """On a page of one child's record (reached under a reason), the record itself, under
    the same reason; elsewhere None (base of the question pages' back link)."""
    grant = g.get("grant")
    child_id = (request.view_args or {}).get("child_id")
    if grant is None or child_id is None:
        return None
    return url_for("records.record", child_id=child_id, grant=grant.token)
