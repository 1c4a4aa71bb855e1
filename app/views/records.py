"""A child's record: a reason first, then the page; corrections by those allowed."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.forms import EmptyForm
from app.forms.child import (
    CarerForm,
    DetailsForm,
    EndInvolvementForm,
    IdentifiersForm,
    MergeForm,
    ServiceForm,
)
from app.forms.reason import ReasonForm
from app.models import Child, ChildStatus, Involvement, Scheme
from app.services import access, children, disclosure
from app.views._children import (
    CARER_FIELDS,
    DETAIL_FIELDS,
    SERVICE_FIELDS,
    fill_form,
    form_values,
    require_child_staff,
)
from app.views._common import client_ip

bp = Blueprint("records", __name__, url_prefix="/children/<int:child_id>")

PAGES = {"record": "records.record", "details": "records.edit_details",
         "identifiers": "records.edit_identifiers", "carer": "records.add_carer",
         "involvement": "records.add_involvement", "merge": "records.merge"}


@bp.before_request
def _staff_only():
    require_child_staff()


def _child(child_id: int) -> Child:
    child = db.session.get(Child, child_id)
    if child is None:
        abort(404)
    if not disclosure.may_open(current_user, child):
        abort(403)
    return child


def with_reason(page: str):
    """The page shows child data only with a reason stated for it (GET spends the grant;
    POSTs from the page use it while it is still working)."""
    def decorate(view):
        @wraps(view)
        def wrapper(child_id, **kwargs):
            child = _child(child_id)
            token = request.args.get("grant")
            if request.method == "GET":
                g.grant = access.open_page(current_user, child.id, page, token, ip=client_ip())
            else:
                g.grant = access.working(current_user, child.id, page, token)
            if g.grant is None:
                if request.method != "GET":
                    flash("Your reason for this page has expired. State it again.", "info")
                return redirect(url_for("records.reason", child_id=child.id, page=page))
            response = view(child, **kwargs)
            db.session.commit()  # the view event commits with the page that showed the data
            return response
        return wrapper
    return decorate


def here(endpoint: str, **values) -> str:
    """A URL on this record carrying the current grant."""
    return url_for(endpoint, grant=g.grant.token, **values)


@bp.route("/reason", methods=["GET", "POST"])
def reason(child_id):
    """Why do you need to see this? Asked before every page of a child's record."""
    child = _child(child_id)
    page = request.args.get("page", "record")
    if page not in PAGES:
        abort(404)
    last = access.last_reason(current_user, child.id)
    form = ReasonForm()
    again = request.method == "POST" and "again" in request.form and last is not None
    if again or form.validate_on_submit():
        category, text = ((access.Reason(last.reason_category), last.reason_text) if again
                          else (access.Reason(form.category.data), form.detail.data))
        token = access.grant(current_user, child.id, page, category, text)
        db.session.commit()
        return redirect(url_for(PAGES[page], child_id=child.id, grant=token))
    status = 422 if form.is_submitted() else 200
    return render_template("records/reason.html", form=form, last=last, child_id=child.id,
                           page=page, labels=access.REASON_LABELS), status


@bp.route("")
@with_reason("record")
def record(child):
    """The child's record: details, identifiers, carers and who is involved."""
    view = disclosure.project(current_user, child, "page")
    return render_template("records/record.html", child=view, here=here, form=EmptyForm(),
                           reason=g.grant)


@bp.route("/details", methods=["GET", "POST"])
@with_reason("details")
def edit_details(child):
    """Correct the child's basic details."""
    if not disclosure.may_edit(current_user, child):
        abort(403)
    form = DetailsForm()
    if not form.is_submitted():
        view = disclosure.project(current_user, child, "edit")
        fill_form(form, {"given_names": view.given_names, "family_name": view.family_name,
                         "other_names": view.other_names, "gender": child.gender.value,
                         "date_of_birth": view.date_of_birth, **_address(child)})
    elif form.validate():
        children.update_details(current_user, child, form_values(form, DETAIL_FIELDS),
                                ip=client_ip())
        return _back_to_record(child, "The child's details have been updated.")
    return render_template("records/edit_details.html", form=form, here=here,
                           child_id=child.id), 422 if form.is_submitted() else 200


def _address(child: Child) -> dict:
    return {name: getattr(child, name) for name in
            ("address_line1", "address_line2", "town", "postcode")}


def _back_to_record(child: Child, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("records.reason", child_id=child.id, page="record"))


@bp.route("/identifiers", methods=["GET", "POST"])
@with_reason("identifiers")
def edit_identifiers(child):
    """Correct the child's identifiers."""
    if not disclosure.may_edit(current_user, child):
        abort(403)
    form = IdentifiersForm()
    nhs_visible = disclosure.may_see_nhs_number(current_user, child)
    if not form.is_submitted():
        fill_form(form, {s.value: child.identifier(s) for s in Scheme
                         if s != Scheme.nhs or nhs_visible})
    elif form.validate():
        values = {s.value: form[s.value].data for s in Scheme}
        children.set_identifiers(current_user, child, values, ip=client_ip())
        return _back_to_record(child, "The identifiers have been updated.")
    return render_template("records/edit_identifiers.html", form=form, here=here,
                           child_id=child.id, nhs_visible=nhs_visible), \
        422 if form.is_submitted() else 200


@bp.route("/carers/new", methods=["GET", "POST"])
@with_reason("carer")
def add_carer(child):
    """Add a parent or carer."""
    if not disclosure.may_edit(current_user, child):
        abort(403)
    form = CarerForm()
    if form.validate_on_submit():
        children.add_carer(current_user, child, form_values(form, CARER_FIELDS), ip=client_ip())
        return _back_to_record(child, "The parent or carer has been added.")
    return render_template("records/add_carer.html", form=form, here=here, child_id=child.id), \
        422 if form.is_submitted() else 200


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
    return _back_to_record(child, "The parent or carer has been removed.")


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
        return _back_to_record(child, "Your involvement has been recorded.")
    return render_template("records/add_involvement.html", form=form, here=here,
                           child_id=child.id), 422 if form.is_submitted() else 200


@bp.route("/involvements/<int:involvement_id>/end", methods=["POST"])
@with_reason("record")
def end_involvement(child, involvement_id):
    """End one of your organisation's involvements (date given on the record page)."""
    involvement = db.session.get(Involvement, involvement_id)
    if involvement is None or involvement.child_id != child.id:
        abort(404)
    form = EndInvolvementForm()
    if not form.validate():
        flash(form.end_date.errors[0] if form.end_date.errors else "Enter the end date", "info")
        return redirect(url_for("records.reason", child_id=child.id, page="record"))
    try:
        children.end_involvement(current_user, involvement, form.end_date.data, ip=client_ip())
    except children.NotAllowed:
        abort(403)
    except children.Refused as error:
        db.session.rollback()
        flash(str(error), "info")
        return redirect(url_for("records.reason", child_id=child.id, page="record"))
    return _back_to_record(child, "The involvement has been ended.")


@bp.route("/merge", methods=["GET", "POST"])
@with_reason("merge")
def merge(child):
    """Merge a duplicate record into this one (management team only), after confirming."""
    if not current_user.is_management:
        abort(403)
    form = MergeForm()
    other_row = None
    if form.validate_on_submit():
        other = db.session.get(Child, form.other.data)
        if other is None or other.id == child.id or other.status != ChildStatus.active:
            form.other.errors.append("There is no other active record with that reference")
        elif form.confirm.data == "yes":
            try:
                children.merge(current_user, child, other, ip=client_ip())
            except children.Refused as error:
                db.session.rollback()
                form.other.errors.append(str(error))
            else:
                return _back_to_record(child, "The records have been merged.")
        else:
            other_row = disclosure.project_row(current_user, other)
    return render_template("records/merge.html", form=form, here=here, child_id=child.id,
                           this_row=disclosure.project_row(current_user, child),
                           other_row=other_row), 422 if form.errors else 200
