"""Correction requests for the management team: log, decide, answer by letter."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.core.clock import now
from app.extensions import db
from app.forms.sar import CorrectionForm, DecisionForm
from app.models import Child, ChildStatus, CorrectionRequest
from app.services import corrections, disclosure, pdf
from app.services.children import Refused
from app.views._common import audit_event, client_ip
from app.views.audit import management_only

bp = Blueprint("corrections", __name__, url_prefix="/corrections")


@bp.route("")
@management_only
def index():
    """Correction requests waiting for a decision."""
    return render_template("corrections/index.html", requests=corrections.open_requests())


@bp.route("/new", methods=["GET", "POST"])
@management_only
def new():
    """Log a request to correct a child's record."""
    form = CorrectionForm()
    if form.validate_on_submit():
        child = db.session.get(Child, form.child.data)
        if child is None or child.status != ChildStatus.active:
            form.child.errors.append("There is no active record with that reference")
        else:
            request = corrections.log(
                current_user, child, requester_name=form.requester_name.data,
                received_on=form.received_on.data, what_is_wrong=form.what_is_wrong.data,
                subject_access_id=None, ip=client_ip())
            db.session.commit()
            flash(f"Correction request {request.reference} logged.", "success")
            return redirect(url_for("corrections.detail", request_id=request.id))
    return render_template("corrections/new.html", form=form), 422 if form.errors else 200


def _request(request_id: int) -> CorrectionRequest:
    found = db.session.get(CorrectionRequest, request_id)
    if found is None:
        abort(404)
    return found


@bp.route("/<int:request_id>", methods=["GET", "POST"])
@management_only
def detail(request_id):
    """Decide a correction request: correct the record first, then record what changed."""
    request = _request(request_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            corrections.decide(current_user, request, accept=form.decision.data == "accept",
                               detail=form.detail.data, ip=client_ip())
        except Refused as error:
            db.session.rollback()
            form.decision.errors.append(str(error))
        else:
            db.session.commit()
            flash("Decision recorded. Send the requester the letter.", "success")
            return redirect(url_for("corrections.detail", request_id=request.id))
    row = disclosure.project_row(current_user, db.session.get(Child, request.child_id))
    return render_template("corrections/detail.html", item=request, form=form, row=row), \
        422 if form.errors else 200


@bp.route("/<int:request_id>/letter.pdf")
@management_only
def letter(request_id):
    """The letter telling the requester the decision."""
    request = _request(request_id)
    if request.status == "open":
        abort(404)
    body = pdf.render("corrections/letter.html", item=request, today=now().date())
    audit_event("correction.letter_generated", subject_type="correction_request",
                subject_id=request.id, child_id=request.child_id,
                reason_category="subject_access")
    db.session.commit()
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{request.reference}.pdf"'})
