"""The management team's archive screens: what is due, the archive, opening a record."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from app.forms.archive import ARCHIVE_REASONS, ArchiveReasonForm
from app.services import archive
from app.views.guards import guard, is_management

bp = Blueprint("archive", __name__)
guard(bp, is_management)


@bp.route("/retention")
def due():
    """Records due to be archived or destroyed in the next 90 days."""
    return render_template("archive/due.html", rows=archive.due(current_user))


@bp.route("/archive")
def index():
    """Archived records (management team only)."""
    return render_template("archive/index.html", rows=archive.listed(current_user))


@bp.route("/archive/<int:child_id>", methods=["GET", "POST"])
def open_record(child_id):
    """Open an archived record for one of the limited reasons; every opening is audited."""
    child = archive.find(current_user, child_id)
    form = ArchiveReasonForm()
    if form.validate_on_submit():
        view = archive.open_record(current_user, child, form.reason.data, form.detail.data)
        return render_template("archive/record.html", child=view,
                               reason=ARCHIVE_REASONS[form.reason.data])
    return render_template("archive/reason.html", form=form, child_id=child.id), \
        422 if form.is_submitted() else 200
