"""A child's record: the reason first, then the page; corrections by those allowed; the
management team's merge."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from flask_login import current_user

from app import MAX_ID
from app.forms.children import DETAIL_FIELDS, DetailsForm, IdentifiersForm
from app.forms.fields import fill_form, form_values
from app.forms.records import AGAIN, MergeForm, PreviewForm, ReasonForm
from app.models import Role, Scheme
from app.services import access, accounts, children, disclosure, identifiers, merging, records
from app.services import preview as previews
from app.views._common import refusal
from app.views.guards import manages_record
from app.views.records import bp
from app.views.records.gate import PAGE_NAMES, PAGES, back_to_record, here, status, with_reason


@bp.route("/reason", methods=["GET", "POST"])
def reason(child_id):
    """Why do you need to see this? Asked before the pages of a child's record (a reason
    covers the record's other pages for a few minutes, services/access.py)."""
    child = records.open_record(current_user, child_id)
    page, item = request.args.get("page", "record"), request.args.get("item", type=int)
    if page not in PAGES or (PAGES[page][1] and not 0 < (item or 0) <= MAX_ID):
        abort(404)
    endpoint, item_name = PAGES[page]
    target = url_for(endpoint, child_id=child.id, **({item_name: item} if item_name else {}))
    if request.method == "GET" and access.covered(current_user, child.id):
        return redirect(target)  # the reason stated a moment ago covers this page too
    form = ReasonForm()
    again = request.method == "POST" and (form.category.data == AGAIN or "again" in request.form)
    last = access.last_reason(current_user, child.id) if again else None  # else not needed
    if last is not None:
        form.offer_again(_again_label(last))
    if (again and last is not None) or form.validate_on_submit():
        category, text = ((last.reason_category, last.reason_text) if again and last
                          else (form.category.data, form.detail.data))
        token = access.grant(current_user, child.id, page, access.Reason(category), text)
        return redirect(url_for(endpoint, child_id=child.id, grant=token,
                                **({item_name: item} if item_name else {})))
    last = last or access.last_reason(current_user, child.id)  # offered first on the form
    if last is not None and not any(value == AGAIN for value, _ in form.category.choices):
        form.offer_again(_again_label(last))
    name = access.name_for_prompt(current_user, child)
    return render_template("records/reason.html", form=form, child_id=child.id, page=page,
                           item=item, name=name, what=PAGE_NAMES[page],
                           cover=access.cover()), status(form)


def _again_label(last) -> str:
    said = access.REASON_LABELS[access.Reason(last.reason_category)]
    return (f"The same as last time: {said}" +
            (f" (“{last.reason_text}”)" if last.reason_text else ""))


@bp.route("")
@with_reason("record")
def record(child):
    """The child's record: details, identifiers, carers and who is involved."""
    view = disclosure.project(current_user, child, disclosure.Purpose.record_page)
    return render_template("records/record.html", child=view, here=here,
                           reason=g.grant)


@bp.route("/details", methods=["GET", "POST"])
@with_reason("details", allowed=disclosure.may_edit)
def edit_details(child):
    """Correct the child's basic details."""
    form = DetailsForm()
    if not form.is_submitted():
        fill_form(form, disclosure.details_for_edit(current_user, child))
    elif form.validate():
        children.update_details(current_user, child, form_values(form, DETAIL_FIELDS))
        return back_to_record(child, "The child's details have been updated.")
    return render_template("records/edit_details.html", form=form, here=here,
                           child_id=child.id), status(form)


@bp.route("/identifiers", methods=["GET", "POST"])
@with_reason("identifiers", allowed=disclosure.may_edit)
def edit_identifiers(child):
    """Correct the child's identifiers."""
    form = IdentifiersForm()
    if not form.is_submitted():
        fill_form(form, identifiers.display_all(
            disclosure.identifiers_for_edit(current_user, child)))
    elif form.validate():
        children.set_identifiers(current_user, child, {s.value: form[s.value].data
                                                       for s in Scheme})
        return back_to_record(child, "The identifiers have been updated.")
    return render_template("records/edit_identifiers.html", form=form, here=here,
                           child_id=child.id,
                           nhs_visible=disclosure.may_see_nhs_number(current_user, child)), \
        status(form)


@bp.route("/merge", methods=["GET", "POST"])
@with_reason("merge", allowed=manages_record)
def merge(child):
    """Merge a duplicate record into this one (management team only), after confirming."""
    form, other_row = MergeForm(), None
    if form.validate_on_submit():
        with refusal(form.other):
            if form.confirm.data == "yes":
                other = merging.find_duplicate(current_user, child, form.other.data)
                merging.merge(current_user, child, other)
                return back_to_record(child, "The records have been merged.")
            other_row = merging.preview_merge(current_user, child, form.other.data,
                                               g.grant.reason_category)
    return render_template("records/merge.html", form=form, here=here, child_id=child.id,
                           this_row=disclosure.project_row(current_user, child),
                           other_row=other_row), 422 if form.errors else 200


@bp.route("/preview", methods=["GET", "POST"])
@with_reason("preview", allowed=manages_record)
def preview(child):
    """See this record as another role and organisation would (management team only)."""
    form = PreviewForm()
    form.organisation.choices = accounts.organisation_choices()
    shown = None
    if form.validate_on_submit():
        shown = previews.preview(current_user, child, Role(form.role.data),
                                 form.organisation.data, g.grant.reason_category)
    return render_template("records/preview.html", form=form, shown=shown, here=here,
                           child_id=child.id), 422 if form.errors else 200
