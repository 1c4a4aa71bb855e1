"""The reason gate every page of a child's record stands behind, and its URL helpers."""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, g, redirect, request, url_for
from flask_login import current_user

from app.models import Child
from app.services import access, records

# page name -> (endpoint, name of the item argument or None)
PAGES = {
    "record": ("records.record", None),
    "details": ("records.edit_details", None),
    "identifiers": ("records.edit_identifiers", None),
    "merge": ("records.merge", None),
    "preview": ("records.preview", None),
    "carer": ("records.add_carer", None),
    "carer_edit": ("records.edit_carer", "carer_id"),
    "involvement": ("records.add_involvement", None),
    "involvement_edit": ("records.edit_involvement", "involvement_id"),
    "shield": ("records.shield", None),
    "contact": ("records.contact", None),
    "contact_service": ("records.contact_service", "involvement_id"),
    "retention": ("records.retention", None),
}


# what the reason prompt says is being opened: "Why do you need to see <name>'s <this>?"
PAGE_NAMES = {
    "record": "record",
    "details": "details, to correct them",
    "identifiers": "identifiers, to correct them",
    "merge": "record, to merge a duplicate into it",
    "preview": "record as others would see it",
    "carer": "record, to add a carer",
    "carer_edit": "carer's details, to correct them",
    "involvement": "record, to add a service",
    "involvement_edit": "service's details, to correct them",
    "shield": "shielding",
    "contact": "record, to ask for contact",
    "contact_service": "service's details, to ask for contact",
    "retention": "retention facts",
}


def reason_url(child_id: int, page: str = "record", item: int | None = None) -> str:
    """Where to state a reason before opening a page of the record."""
    return url_for("records.reason", child_id=child_id, page=page,
                   **({"item": item} if item is not None else {}))


def with_reason(page: str, allowed=None):
    """The page shows child data only with a reason stated for it: GET spends the grant
    (and records the view); POSTs from the page use it while it is still working. When
    `allowed(user, child, **item)` says no, the page is refused before anything is spent."""
    def decorate(view):
        @wraps(view)
        def gated(child_id, **kwargs):
            child = records.open_record(current_user, child_id,
                                        whole=request.method == "GET")
            if allowed is not None and not allowed(current_user, child, **kwargs):
                abort(403)
            token = request.args.get("grant")
            g.grant = (access.open_page(current_user, child, page, token)
                       if request.method == "GET" else
                       access.working(current_user, child.id, page, token))
            if g.grant is None:
                if request.method != "GET":
                    flash("Your reason for this page has expired. State it again.", "info")
                return redirect(reason_url(child.id, page, next(iter(kwargs.values()), None)))
            return view(child, **kwargs)
        return gated
    return decorate


def here(endpoint: str, **values) -> str:
    """A URL on this record carrying the current grant."""
    return url_for(endpoint, grant=g.grant.token, **values)


def back_to_record(child: Child, message: str):
    """After a correction: back to the record (a new reason is asked for)."""
    flash(message, "success")
    return redirect(reason_url(child.id))


def status(form) -> int:
    """422 for a form sent back with errors, else 200."""
    return 422 if form.is_submitted() else 200
