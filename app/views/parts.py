"""Parts of a child's record: parents and carers, and involvements (own organisation's only)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template
from flask_login import current_user

from app.extensions import db
from app.forms.child import CarerForm, EndInvolvementForm, ServiceForm
from app.models import Involvement
from app.services import children, disclosure
from app.views._children import (
    CARER_FIELDS,
    SERVICE_FIELDS,
    fill_form,
    form_values,
    require_child_staff,
)
from app.views._common import client_ip
from app.views._records import back_to_record, here, reason_url, with_reason

bp = Blueprint("parts", __name__, url_prefix="/children/<int:child_id>")


@bp.before_request
def _staff_only():
    require_child_staff()


def _status(form) -> int:
    return 422 if form.is_submitted() else 200


@bp.route("/carers/new", methods=["GET", "POST"])
@with_reason("carer")
def add_carer(child):
    """Add a parent or carer."""
    if not disclosure.may_edit(current_user, child):
        abort(403)
    form = CarerForm()
    if form.validate_on_submit():
        children.add_carer(current_user, child, form_values(form, CARER_FIELDS), ip=client_ip())
        return back_to_record(child, "The parent or carer has been added.")
    return render_template("records/carer.html", form=form, here=here, child_id=child.id,
                           action=here("parts.add_carer", child_id=child.id),
                           title="Add a parent or carer"), _status(form)


@bp.route("/carers/<int:carer_id>", methods=["GET", "POST"])
@with_reason("carer_edit")
def edit_carer(child, carer_id):
    """Correct a parent's or carer's details."""
    values = disclosure.carer_for_edit(current_user, child, carer_id)
    if values is None:
        abort(403 if any(c.id == carer_id for c in child.carers) else 404)
    form = CarerForm()
    if not form.is_submitted():
        fill_form(form, values)
    elif form.validate():
        children.update_carer(current_user, child, carer_id, form_values(form, CARER_FIELDS),
                              ip=client_ip())
        return back_to_record(child, "The parent or carer has been updated.")
    return render_template("records/carer.html", form=form, here=here, child_id=child.id,
                           action=here("parts.edit_carer", child_id=child.id,
                                       carer_id=carer_id),
                           title="Correct a parent or carer"), _status(form)


@bp.route("/carers/<int:carer_id>/remove", methods=["POST"])
@with_reason("record")
def remove_carer(child, carer_id):
    """Remove a parent or carer (from the record page, after its confirmation)."""
    try:
        children.remove_carer(current_user, child, carer_id, ip=client_ip())
    except children.NotAllowed:
        abort(403)
    except children.Refused:
        abort(404)
    return back_to_record(child, "The parent or carer has been removed.")


@bp.route("/involvements/new", methods=["GET", "POST"])
@with_reason("involvement")
def add_involvement(child):
    """Record my organisation's involvement with the child."""
    form = ServiceForm()
    if form.validate_on_submit():
        try:
            children.add_involvement(current_user, child, form_values(form, SERVICE_FIELDS),
                                     ip=client_ip())
        except children.NotAllowed:
            abort(403)
        return back_to_record(child, "Your involvement has been recorded.")
    return render_template("records/involvement.html", form=form, child_id=child.id,
                           action=here("parts.add_involvement", child_id=child.id),
                           title="Record my involvement"), _status(form)


def _own_involvement(child, involvement_id) -> Involvement:
    involvement = db.session.get(Involvement, involvement_id)
    if involvement is None or involvement.child_id != child.id:
        abort(404)
    if not disclosure.may_change_involvement(current_user, involvement):
        abort(403)
    return involvement


@bp.route("/involvements/<int:involvement_id>", methods=["GET", "POST"])
@with_reason("involvement_edit")
def edit_involvement(child, involvement_id):
    """Correct one of my organisation's involvements."""
    involvement = _own_involvement(child, involvement_id)
    form = ServiceForm()
    if not form.is_submitted():
        fill_form(form, disclosure.involvement_for_edit(current_user, involvement))
    elif form.validate():
        children.update_involvement(current_user, involvement,
                                    form_values(form, SERVICE_FIELDS), ip=client_ip())
        return back_to_record(child, "The involvement has been updated.")
    return render_template("records/involvement.html", form=form, child_id=child.id,
                           action=here("parts.edit_involvement", child_id=child.id,
                                       involvement_id=involvement_id),
                           title="Correct an involvement"), _status(form)


@bp.route("/involvements/<int:involvement_id>/end", methods=["POST"])
@with_reason("record")
def end_involvement(child, involvement_id):
    """End one of your organisation's involvements (date given on the record page)."""
    involvement = _own_involvement(child, involvement_id)
    form = EndInvolvementForm()
    if not form.validate():
        flash(form.end_date.errors[0] if form.end_date.errors else "Enter the end date", "info")
        return redirect(reason_url(child.id))
    try:
        children.end_involvement(current_user, involvement, form.end_date.data, ip=client_ip())
    except children.Refused as error:
        db.session.rollback()
        flash(str(error), "info")
        return redirect(reason_url(child.id))
    return back_to_record(child, "The involvement has been ended.")
