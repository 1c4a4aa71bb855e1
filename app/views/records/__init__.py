"""Every page of a child's record, each behind the reason gate: one blueprint, records."""

from flask import Blueprint

from app.views.guards import guard, is_child_staff

bp = Blueprint("records", __name__, url_prefix="/children/<int:child_id>")
guard(bp, is_child_staff)

from app.views.records import pages, parts, safety  # noqa: E402,F401  (register the views)
