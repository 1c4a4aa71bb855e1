"""Shielding a record, the management team's reviews, and brokered contact requests."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.extensions import db
from app.forms.shield import ContactForm, OutcomeForm, ReviewForm, ShieldForm
from app.models import Child, ChildStatus, ContactKind, ContactRequest, Shield, ShieldCategory
from app.services import brokering, disclosure, shielding
from app.services.children import NotAllowed, Refused
from app.views._children import require_child_staff
from app.views._common import audit_event, client_ip
from app.views._records import back_to_record, here, with_reason
from app.views.audit import management_only

bp = Blueprint("shields", __name__)


@bp.route("/children/<int:child_id>/shield", methods=["GET", "POST"])
@with_reason("shield")
def request_shield(child):
    """Shield this record: whereabouts are withheld from the next request on."""
    require_child_staff()
    if not shielding.may_request(current_user):
        abort(403)
    if child.shielded:
        return back_to_record(child, "This record is already shielded.")
    form = ShieldForm()
    if form.validate_on_submit():
        shielding.request(current_user, child, ShieldCategory(form.category.data),
                          form.reason.data, ip=client_ip())
        return back_to_record(child, "The record is shielded now. The management team will "
                                     "review it within 7 days.")
    return render_template("shields/request.html", form=form, child_id=child.id,
                           action=here("shields.request_shield", child_id=child.id)), \
        422 if form.is_submitted() else 200


def _contact(child: Child, kind: ContactKind, involvement_id: int | None, action: str):
    require_child_staff()
    form = ContactForm()
    if form.validate_on_submit():
        try:
            brokering.ask(current_user, child, kind, form.message.data,
                          involvement_id=involvement_id, ip=client_ip())
        except Refused:
            abort(404)
        return back_to_record(child, "Your request has gone to the management team. You "
                                     "will see the outcome under Your account.")
    return render_template("shields/contact.html", form=form, action=action), \
        422 if form.is_submitted() else 200


@bp.route("/children/<int:child_id>/contact", methods=["GET", "POST"])
@with_reason("contact")
def contact_about_child(child):
    """Ask the management team to broker contact about a shielded child."""
    return _contact(child, ContactKind.shielded, None,
                    here("shields.contact_about_child", child_id=child.id))


@bp.route("/children/<int:child_id>/services/<int:involvement_id>/contact",
          methods=["GET", "POST"])
@with_reason("contact_service")
def contact_about_service(child, involvement_id):
    """Ask the management team to broker contact with a service you cannot see."""
    return _contact(child, ContactKind.sensitive, involvement_id,
                    here("shields.contact_about_service", child_id=child.id,
                         involvement_id=involvement_id))


@bp.route("/shields")
@management_only
def reviews():
    """Shield reviews that are overdue or due within 30 days."""
    return render_template("shields/reviews.html", due=shielding.due_reviews())


@bp.route("/shields/<int:shield_id>", methods=["GET", "POST"])
@management_only
def review(shield_id):
    """Review one shield: keep it or remove it, with the reason recorded."""
    shield = db.session.get(Shield, shield_id) or abort(404)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            shielding.review(current_user, shield, keep=form.decision.data == "keep",
                             reason=form.reason.data, ip=client_ip())
        except (NotAllowed, Refused) as error:
            db.session.rollback()
            form.decision.errors.append(str(error) or "You cannot review shields")
        else:
            db.session.commit()
            flash("Your decision has been recorded.", "success")
            return redirect(url_for("shields.reviews"))
    child = db.session.get(Child, shield.child_id)
    return render_template("shields/review.html", form=form, shield=shield,
                           row=disclosure.project_row(current_user, child)), \
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
    contact = db.session.get(ContactRequest, request_id) or abort(404)
    child = db.session.get(Child, contact.child_id)
    if child.status != ChildStatus.active:  # archived: the archive's own reasons apply
        abort(404)
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            brokering.close(current_user, contact, form.outcome.data, form.note.data,
                            ip=client_ip())
        except Refused as error:
            form.outcome.errors.append(str(error))
        else:
            db.session.commit()
            flash("The outcome has been recorded and the requester can see it.", "success")
            return redirect(url_for("shields.queue"))
    view = disclosure.project(current_user, child, "broker")
    services = [s for s in view.services if contact.involvement_id in (None, s.id)]
    audit_event("contact.broker_viewed", child_id=child.id, shielded=child.shielded,
                reason_category="coordinating", subject_type="contact_request",
                subject_id=contact.id)
    db.session.commit()
    return render_template("shields/answer.html", form=form, contact=contact, child=view,
                           services=services), 422 if form.errors else 200
