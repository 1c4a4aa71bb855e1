"""Keeping a child safe from the record: shielding it, asking the management team to
broker contact, and the facts retention acts on (death, leaving England, consent to stay)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.forms.fields import fill_form
from app.forms.records import ContactForm, RetentionForm, ShieldForm
from app.models import ContactKind, ShieldCategory
from app.services import brokering, children, disclosure, shielding
from app.views._common import refusal
from app.views.guards import may_record_circumstances, may_shield
from app.views.records import bp
from app.views.records.gate import back_to_record, here, status, with_reason


@bp.route("/shield", methods=["GET", "POST"])
@with_reason("shield", allowed=may_shield)
def shield(child):
    """Shield this record: whereabouts are withheld from the next request on."""
    if child.shielded:
        return back_to_record(child, "This record is already shielded.")
    form = ShieldForm()
    if form.validate_on_submit():
        shielding.request(current_user, child, ShieldCategory(form.category.data),
                          form.reason.data)
        return back_to_record(child, "The record is shielded now. The management team will "
                                     "review it within 7 days.")
    return render_template("records/shield.html", form=form, child_id=child.id,
                           action=here("records.shield", child_id=child.id)), status(form)


def _contact(child, kind: ContactKind, involvement_id: int | None, action: str):
    form = ContactForm()
    if form.validate_on_submit():
        with refusal(form.message):
            brokering.ask(current_user, child, kind, form.message.data,
                          involvement_id=involvement_id)
            return back_to_record(child, "Your request has gone to the management team. You "
                                         "will see the outcome under Your account.")
    return render_template("records/contact.html", form=form, action=action), status(form)


@bp.route("/contact", methods=["GET", "POST"])
@with_reason("contact")
def contact(child):
    """Ask the management team to put you in touch about a shielded child."""
    return _contact(child, ContactKind.shielded, None,
                    here("records.contact", child_id=child.id))


@bp.route("/services/<int:involvement_id>/contact", methods=["GET", "POST"])
@with_reason("contact_service")
def contact_service(child, involvement_id):
    """Ask the management team to put you in touch with a service you cannot see."""
    brokering.on_record(child, involvement_id)
    return _contact(child, ContactKind.sensitive, involvement_id,
                    here("records.contact_service", child_id=child.id,
                         involvement_id=involvement_id))


@bp.route("/retention", methods=["GET", "POST"], endpoint="retention")
@with_reason("retention", allowed=may_record_circumstances)
def retention_facts(child):
    """Record a death, leaving England, or consent to stay after 18."""
    form = RetentionForm()
    if not form.is_submitted():
        fill_form(form, disclosure.retention_for_edit(current_user, child))
    elif form.validate():
        with refusal(form.stay_until):
            children.record_circumstances(
                current_user, child, date_of_death=form.date_of_death.data,
                left_england_on=form.left_england_on.data, stay_until=form.stay_until.data,
                stay_consent=form.stay_consent.data)
            return back_to_record(child, "Saved. Retention will act on it.")
    return render_template("records/retention.html", form=form,
                           action=here("records.retention", child_id=child.id)), \
        422 if form.errors else 200
