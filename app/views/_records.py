"""Shared by the record blueprints: the reason gate, the grant-carrying URL helper."""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, g, redirect, request, url_for
from flask_login import current_user

from app.extensions import db
from app.models import Child
from app.services import access, disclosure
from app.views._common import client_ip

# page name -> (endpoint, name of the item argument or None)
PAGES = {
    "record": ("records.record", None),
    "details": ("records.edit_details", None),
    "identifiers": ("records.edit_identifiers", None),
    "merge": ("records.merge", None),
    "carer": ("parts.add_carer", None),
    "carer_edit": ("parts.edit_carer", "carer_id"),
    "involvement": ("parts.add_involvement", None),
    "involvement_edit": ("parts.edit_involvement", "involvement_id"),
    "shield": ("shields.request_shield", None),
    "contact": ("shields.contact_about_child", None),
    "contact_service": ("shields.contact_about_service", "involvement_id"),
    "retention": ("archive.circumstances", None),
}


def load_child(child_id: int) -> Child:
    """The child, if this user may open the record (404 unknown, 403 not allowed)."""
    child = db.session.get(Child, child_id)
    if child is None:
        abort(404)
    if not disclosure.may_open(current_user, child):
        abort(403)
    return child


def reason_url(child_id: int, page: str = "record", item: int | None = None) -> str:
    """Where to state a reason before opening a page of the record."""
    return url_for("records.reason", child_id=child_id, page=page,
                   **({"item": item} if item is not None else {}))


def with_reason(page: str):
    """The page shows child data only with a reason stated for it (GET spends the grant;
    POSTs from the page use it while it is still working)."""
    def decorate(view):
        @wraps(view)
        def wrapper(child_id, **kwargs):
            child = load_child(child_id)
            token = request.args.get("grant")
            if request.method == "GET":
                g.grant = access.open_page(current_user, child.id, page, token, ip=client_ip(),
                                           shielded=child.shielded)
            else:
                g.grant = access.working(current_user, child.id, page, token)
            if g.grant is None:
                if request.method != "GET":
                    flash("Your reason for this page has expired. State it again.", "info")
                return redirect(reason_url(child.id, page, next(iter(kwargs.values()), None)))
            response = view(child, **kwargs)
            db.session.commit()  # the view event commits with the page that showed the data
            return response
        return wrapper
    return decorate


def here(endpoint: str, **values) -> str:
    """A URL on this record carrying the current grant."""
    return url_for(endpoint, grant=g.grant.token, **values)


def back_to_record(child: Child, message: str):
    """Commit a correction and return to the record (a new reason is asked for)."""
    db.session.commit()
    flash(message, "success")
    return redirect(reason_url(child.id))
