"""Home page and health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user

from app.extensions import db
from app.services import shielding
from app.views._common import public

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    """Home: what the signed-in user can do here."""
    overdue = shielding.overdue_count() if current_user.is_management else 0
    return render_template("main/index.html", overdue_reviews=overdue)


@bp.route("/healthz")
@public
def healthz():
    """200 'ok' when the database answers; 503 otherwise."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return "database unavailable", 503, {"Content-Type": "text/plain; charset=utf-8"}
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
