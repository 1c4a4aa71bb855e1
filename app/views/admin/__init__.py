"""Administration, for administrators only: users and invitations (a setting's own
administrators: their own organisation only), each user's eligibility and account, and the
organisation's own details."""

from flask import Blueprint

from app.views.guards import guard, is_admin

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard(bp, is_admin)

from app.views.admin import emails, organisation, users  # noqa: E402,F401  (the views)
