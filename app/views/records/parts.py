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


CARER = ("records/carer.html", CarerForm, CARER_FIELDS)
INVOLVEMENT = ("records/involvement.html", ServiceForm, SERVICE_FIELDS)


def _part(child, kind, endpoint: str, title: str, done: str, save, values=None, **item):
    """A form page of a part of the record: filled with what may be corrected, saved by the
    service, then back to the record; it posts back to itself under the current reason."""
    template, form_class, fields = kind
    form = form_class()
    if not form.is_submitted():
        fill_form(form, values or {})
    elif form.validate():
        save(form_values(form, fields))
        return back_to_record(child, done)
    return render_template(template, form=form, here=here, child_id=child.id, title=title,
                           action=here(endpoint, child_id=child.id, **item)), status(form)


@bp.route("/carers/new", methods=["GET", "POST"])
@with_reason("carer", allowed=disclosure.may_edit)
def add_carer(child):
    """Add a parent or carer."""
    return _part(child, CARER, "records.add_carer", "Add a parent or carer",
                 "The parent or carer has been added.",
                 lambda values: children.add_carer(current_user, child, values))


@bp.route("/carers/<int:carer_id>", methods=["GET", "POST"])
@with_reason("carer_edit", allowed=_may_edit_carer)
def edit_carer(child, carer_id):
    """Correct a parent's or carer's details."""
    return _part(child, CARER, "records.edit_carer", "Correct a parent or carer",
                 "The parent or carer has been updated.",
                 lambda values: children.update_carer(current_user, child, carer_id, values),
                 disclosure.carer_for_edit(current_user, child, carer_id), carer_id=carer_id)


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
    return _part(child, INVOLVEMENT, "records.add_involvement", "Record my involvement",
                 "Your involvement has been recorded.",
                 lambda values: involvements.add_involvement(current_user, child, values))


@bp.route("/involvements/<int:involvement_id>", methods=["GET", "POST"])
@with_reason("involvement_edit", allowed=_own_involvement)
def edit_involvement(child, involvement_id):
    """Correct one of my organisation's involvements."""
    involvement = involvements.involvement_of(child, involvement_id)
    return _part(child, INVOLVEMENT, "records.edit_involvement", "Correct an involvement",
                 "The involvement has been updated.",
                 lambda values: involvements.update_involvement(current_user, involvement,
                                                                values),
                 disclosure.involvement_for_edit(current_user, involvement),
                 involvement_id=involvement_id)


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
