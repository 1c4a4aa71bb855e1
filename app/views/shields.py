"""The management team's shield reviews, and brokered contact requests (everyone sees their
own; the management team answers them)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from app.forms.shields import OutcomeForm, ReviewForm
from app.services import brokering, records, shielding
from app.views._common import refusal
from app.views.guards import management_only

bp = Blueprint("shields", __name__)


@bp.route("/shields")
@management_only
def reviews():
    """Shield reviews that are overdue or due within 30 days."""
    return render_template("shields/reviews.html", due=shielding.due_reviews())


@bp.route("/shields/<int:shield_id>", methods=["GET", "POST"])
@management_only
def review(shield_id):
    """Review one shield: keep it or remove it, with the reason recorded."""
    shield = shielding.find(current_user, shield_id)
    form = ReviewForm()
    if form.validate_on_submit():
        with refusal(form.decision):
            shielding.review(current_user, shield, keep=form.decision.data == "keep",
                             reason=form.reason.data)
            flash("Your decision has been recorded.", "success")
            return redirect(url_for("shields.reviews"))
    return render_template("shields/review.html", form=form, shield=shield,
                           row=records.about(current_user, shield.child_id)), \
        422 if form.errors else 200


@bp.route("/contact-requests")
def my_requests():
    """Your brokered contact requests and what came of them."""
    return render_template("shields/mine.html", requests=brokering.mine(current_user),
                           outcomes=brokering.OUTCOMES)


@bp.route("/contact-requests/queue")
@management_only
def queue():
    """Open brokered contact requests for the management team."""
    return render_template("shields/queue.html", requests=brokering.queue())


@bp.route("/contact-requests/<int:request_id>", methods=["GET", "POST"])
@management_only
def answer(request_id):
    """Broker one request: see whom to ask, then record the outcome."""
    contact = brokering.find(current_user, request_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        with refusal(form.outcome):
            brokering.close(current_user, contact, form.outcome.data, form.note.data)
            flash("The outcome has been recorded and the requester can see it.", "success")
            return redirect(url_for("shields.queue"))
    child, services = brokering.broker_view(current_user, contact)
    return render_template("shields/answer.html", form=form, contact=contact, child=child,
                           services=services), 422 if form.errors else 200
