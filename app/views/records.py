"""A child's record: a reason first, then the page; corrections by those allowed."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_login import current_user

from app import MAX_ID
from app.extensions import db
from app.forms import EmptyForm
from app.forms.child import DetailsForm, IdentifiersForm, MergeForm
from app.forms.reason import ReasonForm
from app.models import Child, ChildStatus, Scheme
from app.services import access, children, disclosure
from app.views._children import DETAIL_FIELDS, fill_form, form_values, require_child_staff
from app.views._common import audit_event, client_ip
from app.views._records import PAGES, back_to_record, here, load_child, with_reason

bp = Blueprint("records", __name__, url_prefix="/children/<int:child_id>")


@bp.before_request
def _staff_only():
    require_child_staff()


@bp.route("/reason", methods=["GET", "POST"])
def reason(child_id):
    """Why do you need to see this? Asked before every page of a child's record."""
    child = load_child(child_id)
    page = request.args.get("page", "record")
    if page not in PAGES:
        abort(404)
    endpoint, item_name = PAGES[page]
    item = request.args.get("item", type=int)
    if item_name and (item is None or not 0 < item <= MAX_ID):
        abort(404)
    last = access.last_reason(current_user, child.id)
    form = ReasonForm()
    again = request.method == "POST" and "again" in request.form and last is not None
    if again or form.validate_on_submit():
        category, text = ((access.Reason(last.reason_category), last.reason_text) if again
                          else (access.Reason(form.category.data), form.detail.data))
        token = access.grant(current_user, child.id, page, category, text)
        db.session.commit()
        extra = {item_name: item} if item_name else {}
        return redirect(url_for(endpoint, child_id=child.id, grant=token, **extra))
    status = 422 if form.is_submitted() else 200
    return render_template("records/reason.html", form=form, last=last, child_id=child.id,
                           page=page, item=item, labels=access.REASON_LABELS), status


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
                         "date_of_birth": view.date_of_birth, **view.address_fields})
    elif form.validate():
        children.update_details(current_user, child, form_values(form, DETAIL_FIELDS),
                                ip=client_ip())
        return back_to_record(child, "The child's details have been updated.")
    return render_template("records/edit_details.html", form=form, here=here,
                           child_id=child.id), 422 if form.is_submitted() else 200


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
        return back_to_record(child, "The identifiers have been updated.")
    return render_template("records/edit_identifiers.html", form=form, here=here,
                           child_id=child.id, nhs_visible=nhs_visible), \
        422 if form.is_submitted() else 200


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
                return back_to_record(child, "The records have been merged.")
        else:
            other_row = disclosure.project_row(current_user, other)
            audit_event("child.merge_previewed", child_id=other.id, shielded=other.shielded,
                        reason_category=g.grant.reason_category,
                        detail={"into": child.id})
    return render_template("records/merge.html", form=form, here=here, child_id=child.id,
                           this_row=disclosure.project_row(current_user, child),
                           other_row=other_row), 422 if form.errors else 200
