"""Correction requests for the management team: log, decide, answer by letter."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from app.forms.corrections import CorrectionForm, DecisionForm
from app.services import corrections, records
from app.views._common import download, refusal
from app.views.guards import guard, is_management

bp = Blueprint("corrections", __name__, url_prefix="/corrections")
guard(bp, is_management)


@bp.route("")
def index():
    """Correction requests waiting for a decision."""
    return render_template("corrections/index.html",
                           requests=corrections.open_requests(current_user))


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Log a request to correct a child's record."""
    form = CorrectionForm()
    if form.validate_on_submit():
        with refusal(form.child):
            request = corrections.log(
                current_user, form.child.data, requester_name=form.requester_name.data,
                received_on=form.received_on.data, what_is_wrong=form.what_is_wrong.data)
            flash(f"Correction request {request.reference} logged.", "success")
            return redirect(url_for("corrections.detail", request_id=request.id))
    return render_template("corrections/new.html", form=form), 422 if form.errors else 200


@bp.route("/<int:request_id>", methods=["GET", "POST"])
def detail(request_id):
    """Decide a correction request: correct the record first, then record what changed."""
    request = corrections.find(current_user, request_id)
    form = DecisionForm()
    if form.validate_on_submit():
        with refusal(form.decision):
            corrections.decide(current_user, request.id,
                               accept=form.decision.data == "accept", detail=form.detail.data)
            flash("Decision recorded. Send the requester the letter.", "success")
            return redirect(url_for("corrections.detail", request_id=request.id))
    return render_template("corrections/detail.html", item=request, form=form,
                           row=records.about(current_user, request.child_id)), \
        422 if form.errors else 200


@bp.route("/<int:request_id>/letter.pdf")
def letter(request_id):
    """The letter telling the requester the decision."""
    request, body = corrections.letter(current_user, request_id)
    return download(body, f"{request.reference}.pdf")
