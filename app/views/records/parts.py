"""Parts of a child's record: parents and carers (by those who may correct the record), and
involvements (each organisation its own)."""

from __future__ import annotations

from flask import flash, redirect, render_template
from flask_login import current_user

from app.core.errors import NotFound
from app.forms.children import CARER_FIELDS, SERVICE_FIELDS, CarerForm, ServiceForm
from app.forms.fields import fill_form, form_values
from app.forms.records import EndInvolvementForm
from app.services import children, disclosure, involvements
from app.views._common import refusal
from app.views.records import bp
from app.views.records.gate import back_to_record, here, reason_url, status, with_reason


def _may_edit_carer(user, child, carer_id) -> bool:
    if not any(c.id == carer_id for c in child.carers):
        raise NotFound()
    return disclosure.may_edit(user, child)


def _own_involvement(user, child, involvement_id) -> bool:
    return disclosure.may_change_involvement(user, involvements.involvement_of(
        child, involvement_id))


@bp.route("/carers/new", methods=["GET", "POST"])
@with_reason("carer", allowed=disclosure.may_edit)
def add_carer(child):
    """Add a parent or carer."""
    form = CarerForm()
    if form.validate_on_submit():
        children.add_carer(current_user, child, form_values(form, CARER_FIELDS))
        return back_to_record(child, "The parent or carer has been added.")
    return render_template("records/carer.html", form=form, here=here, child_id=child.id,
                           action=here("records.add_carer", child_id=child.id),
                           title="Add a parent or carer"), status(form)


@bp.route("/carers/<int:carer_id>", methods=["GET", "POST"])
@with_reason("carer_edit", allowed=_may_edit_carer)
def edit_carer(child, carer_id):
    """Correct a parent's or carer's details."""
    form = CarerForm()
    if not form.is_submitted():
        fill_form(form, disclosure.carer_for_edit(current_user, child, carer_id))
    elif form.validate():
        children.update_carer(current_user, child, carer_id, form_values(form, CARER_FIELDS))
        return back_to_record(child, "The parent or carer has been updated.")
    return render_template("records/carer.html", form=form, here=here, child_id=child.id,
                           action=here("records.edit_carer", child_id=child.id,
                                       carer_id=carer_id),
                           title="Correct a parent or carer"), status(form)


@bp.route("/carers/<int:carer_id>/remove", methods=["POST"])
@with_reason("record", allowed=_may_edit_carer)
def remove_carer(child, carer_id):
    """Remove a parent or carer (from the record page, after its confirmation)."""
    children.remove_carer(current_user, child, carer_id)
    return back_to_record(child, "The parent or carer has been removed.")


@bp.route("/involvements/new", methods=["GET", "POST"])
@with_reason("involvement")
def add_involvement(child):
    """Record my organisation's involvement with the child."""
    form = ServiceForm()
    if form.validate_on_submit():
        involvements.add_involvement(current_user, child, form_values(form, SERVICE_FIELDS))
        return back_to_record(child, "Your involvement has been recorded.")
    return render_template("records/involvement.html", form=form, child_id=child.id,
                           action=here("records.add_involvement", child_id=child.id),
                           title="Record my involvement"), status(form)


@bp.route("/involvements/<int:involvement_id>", methods=["GET", "POST"])
@with_reason("involvement_edit", allowed=_own_involvement)
def edit_involvement(child, involvement_id):
    """Correct one of my organisation's involvements."""
    involvement = involvements.involvement_of(child, involvement_id)
    form = ServiceForm()
    if not form.is_submitted():
        fill_form(form, disclosure.involvement_for_edit(current_user, involvement))
    elif form.validate():
        involvements.update_involvement(current_user, involvement,
                                    form_values(form, SERVICE_FIELDS))
        return back_to_record(child, "The involvement has been updated.")
    return render_template("records/involvement.html", form=form, child_id=child.id,
                           action=here("records.edit_involvement", child_id=child.id,
                                       involvement_id=involvement_id),
                           title="Correct an involvement"), status(form)


@bp.route("/involvements/<int:involvement_id>/end", methods=["POST"])
@with_reason("record", allowed=_own_involvement)
def end_involvement(child, involvement_id):
    """End one of your organisation's involvements (date given on the record page)."""
    form = EndInvolvementForm()
    if not form.validate():
        flash(form.end_date.errors[0] if form.end_date.errors else "Enter the end date", "info")
        return redirect(reason_url(child.id))
    with refusal():
        involvement = involvements.involvement_of(child, involvement_id)
        involvements.end_involvement(current_user, involvement, form.end_date.data)
        return back_to_record(child, "The involvement has been ended.")
    return redirect(reason_url(child.id))
