"""Retention screens: what is due, recording death / leaving / consent, and the archive."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from app.core.clock import now
from app.extensions import db
from app.forms.retention import ARCHIVE_REASONS, ArchiveReasonForm, RetentionForm
from app.models import Child, ChildStatus
from app.services import disclosure, retention
from app.services.children import NotAllowed, Refused
from app.views._common import audit_event, client_ip
from app.views._records import back_to_record, here, with_reason
from app.views.audit import management_only

bp = Blueprint("archive", __name__)


@bp.route("/retention")
@management_only
def due():
    """Records due to be archived or destroyed in the next 90 days."""
    rows = [(disclosure.project_row(current_user, item.child), item.due, item.what)
            for item in retention.upcoming(now().date())]
    return render_template("archive/due.html", rows=rows)


@bp.route("/children/<int:child_id>/retention", methods=["GET", "POST"])
@with_reason("retention")
def circumstances(child):
    """Record a death, leaving England, or consent to stay after 18."""
    if not (current_user.is_management or disclosure.may_edit(current_user, child)):
        abort(403)
    form = RetentionForm(obj=child) if not RetentionForm().is_submitted() else RetentionForm()
    if form.validate_on_submit():
        try:
            retention.record_circumstances(
                current_user, child, date_of_death=form.date_of_death.data,
                left_england_on=form.left_england_on.data, stay_until=form.stay_until.data,
                stay_consent=form.stay_consent.data, ip=client_ip())
        except NotAllowed:
            abort(403)
        except Refused as error:
            form.stay_until.errors.append(str(error))
        else:
            return back_to_record(child, "Saved. Retention will act on it.")
    return render_template("archive/circumstances.html", form=form,
                           action=here("archive.circumstances", child_id=child.id)), \
        422 if form.errors else 200


@bp.route("/archive")
@management_only
def index():
    """Archived records (management team only)."""
    rows = [(disclosure.project_row(current_user, child), child.archived_at,
             child.archive_reason, retention.destroy_due(child))
            for child in retention.archived()]
    audit_event("archive.listed", detail={"records": len(rows)})
    db.session.commit()
    return render_template("archive/index.html", rows=rows)


@bp.route("/archive/<int:child_id>", methods=["GET", "POST"])
@management_only
def open_record(child_id):
    """Open an archived record for one of the limited reasons; every opening is audited."""
    child = db.session.get(Child, child_id)
    if child is None or child.status != ChildStatus.archived:
        abort(404)
    form = ArchiveReasonForm()
    if form.validate_on_submit():
        audit_event("archive.viewed", child_id=child.id, shielded=child.shielded,
                    reason_category=form.reason.data, detail={"reason": form.detail.data})
        view = disclosure.project(current_user, child, "archive")
        db.session.commit()
        return render_template("archive/record.html", child=view,
                               reason=ARCHIVE_REASONS[form.reason.data])
    return render_template("archive/reason.html", form=form, child_id=child.id), \
        422 if form.is_submitted() else 200
