"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from app.services import health, shielding
from app.views._common import public

bp = Blueprint("main", __name__)
TEXT = {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/")
def index():
    """Home: what the signed-in user can do here."""
    overdue = shielding.overdue_count() if current_user.is_management else 0
    return render_template("main/index.html", overdue_reviews=overdue)


@bp.route("/healthz")
@public
def healthz():
    """200 'ok' when every configured dependency answers; 503 naming those that do not."""
    down = health.failing()
    return (f"unavailable: {', '.join(down)}", 503, TEXT) if down else ("ok", 200, TEXT)


@bp.route("/livez")
@public
def livez():
    """200 while the process can answer at all (it asks nothing of any dependency)."""
    return "ok", 200, TEXT
