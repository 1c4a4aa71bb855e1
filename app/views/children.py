"""The children your organisation works with, and entering a child step by step: details,
identifiers, carers, services, check, save (or add to a likely duplicate)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.text import plural
from app.forms import EmptyForm
from app.forms.children import (
    CARER_FIELDS,
    DETAIL_FIELDS,
    IDENTIFIER_FIELDS,
    SERVICE_FIELDS,
    CarerForm,
    ChildrenFilterForm,
    DetailsForm,
    IdentifiersForm,
    MatchForm,
    ServiceForm,
)
from app.forms.fields import fill_form, form_values
from app.models import Gender, Scheme, ServiceType
from app.services import children, drafts, identifiers
from app.services.disclosure import ListFilters
from app.services.disclosure.rows import PER_PAGE
from app.views._common import refusal
from app.views.guards import guard, is_child_staff

bp = Blueprint("children", __name__, url_prefix="/children")
guard(bp, is_child_staff)

SIMPLE_STEPS = {"details": (DetailsForm, DETAIL_FIELDS), "identifiers": (IdentifiersForm,
                                                                          IDENTIFIER_FIELDS)}
LIST_STEPS = {"carers": (CarerForm, CARER_FIELDS), "services": (ServiceForm, SERVICE_FIELDS)}
NEXT = {"details": "identifiers", "identifiers": "carers", "carers": "services",
        "services": "check"}
# the forms a field can be checked in alone, and the fields template each is shown with
VALIDATABLE = {"details": (DetailsForm, "children/_details_fields.html"),
               "identifiers": (IdentifiersForm, "children/_identifier_fields.html"),
               "services": (ServiceForm, None)}


def _step_url(draft_id: int, step: str) -> str:
    if step == "check":
        return url_for("children.check", draft_id=draft_id)
    endpoint = "children.list_step" if step in LIST_STEPS else "children.step"
    return url_for(endpoint, draft_id=draft_id, step=step)


@bp.route("/", methods=["GET", "POST"])
def index():
    """The children your organisation works with: filtered, sorted and paged by POST (a
    name typed into the filter stays out of the address)."""
    listing = ChildrenFilterForm(prefix="f")
    valid = request.method == "GET" or listing.validate()
    filters = listing.filters() if request.method == "POST" and valid else ListFilters()
    page = (listing.page.data or 1) if request.method == "POST" and valid else 1
    rows, total = children.own_list(current_user, filters, page)
    return render_template("children/index.html", rows=rows, total=total, page=page,
                           per_page=PER_PAGE,
                           pages=max(1, -(-total // PER_PAGE)), listing=listing,
                           narrowing=filters.narrowing, form=EmptyForm()), 200 if valid else 422


@bp.route("/new", methods=["POST"])
def start():
    """Start entering a child (a draft only you can see, kept for a day)."""
    return redirect(_step_url(drafts.new_draft(current_user).id, "details"))


@bp.route("/new/<int:draft_id>/<any(details, identifiers):step>", methods=["GET", "POST"])
def step(draft_id, step):
    """A one-form step of entering a child."""
    draft = drafts.find(current_user, draft_id)
    data = drafts.answers(draft)
    form_class, names = SIMPLE_STEPS[step]
    form = form_class()
    returning = request.args.get("from") == "check"
    if not form.is_submitted():
        fill_form(form, identifiers.display_all(data.get(step, {})) if step == "identifiers"
                  else data.get(step, {}))
    elif form.validate():
        drafts.save_step(current_user, draft_id, step, form_values(form, names))
        return redirect(_step_url(draft_id, "check" if returning else NEXT[step]))
    return render_template(f"children/new_{step}.html", form=form, draft=draft, data=data,
                           returning=returning), 422 if form.is_submitted() else 200


@bp.route("/new/<int:draft_id>/<any(carers, services):step>", methods=["GET", "POST"])
def list_step(draft_id, step):
    """Add carers or services one at a time; each is checked as it is added."""
    draft = drafts.find(current_user, draft_id)
    form_class, names = LIST_STEPS[step]
    form = form_class()
    if form.validate_on_submit():
        drafts.add_item(current_user, draft_id, step, form_values(form, names))
        flash("Added. Add another, or continue.", "success")
        return redirect(_step_url(draft_id, step))
    data = drafts.answers(draft)
    return render_template(f"children/new_{step}.html", form=form, draft=draft, data=data,
                           items=data.get(step, []), remove_form=EmptyForm(),
                           asking=request.args.get("remove", type=int),
                           service_types=ServiceType, next_step=NEXT[step]), \
        422 if form.is_submitted() else 200


@bp.route("/new/<int:draft_id>/<any(carers, services):step>/<int:index>/remove",
          methods=["POST"])
def remove_item(draft_id, step, index):
    """Take a carer or service off the draft, once asked (a POST without the answer, such
    as from a page open since before the question, shows the question)."""
    if request.form.get("confirm") != "yes":
        return redirect(url_for("children.list_step", draft_id=draft_id, step=step,
                                remove=index))
    drafts.remove_item(current_user, draft_id, step, index)
    return redirect(_step_url(draft_id, step))


@bp.route("/new/<int:draft_id>/check", methods=["GET", "POST"])
def check(draft_id):
    """Check your answers, then save (asking about likely duplicates first)."""
    draft = drafts.find(current_user, draft_id)
    data = drafts.answers(draft)
    if "details" not in data:
        return redirect(_step_url(draft_id, "details"))
    form = EmptyForm()
    if form.validate_on_submit():
        if any(drafts.likely_matches(current_user, draft)):
            return redirect(url_for("children.matches", draft_id=draft_id))
        return _save(draft_id)
    return render_template("children/check.html", data=data, draft=draft, form=form,
                           genders=Gender, schemes=Scheme, service_types=ServiceType)


def _save(draft_id, not_same_as=None, unseen=None):
    with refusal():
        name = drafts.save_as_new(current_user, draft_id, not_same_as=not_same_as,
                                  unseen=unseen)
        flash(f"{name}'s record has been saved.", "success")
        return redirect(url_for("children.index"))
    return redirect(url_for("children.check", draft_id=draft_id))


@bp.route("/new/<int:draft_id>/matches", methods=["GET", "POST"])
def matches(draft_id):
    """Likely duplicates: the same child (add your services to it) or a different child.
    Only records you could open anyway are shown; the others are only counted."""
    draft = drafts.find(current_user, draft_id)
    rows, unseen = drafts.likely_matches(current_user, draft)
    if not rows and not unseen:
        return redirect(url_for("children.check", draft_id=draft_id))
    form = MatchForm()
    form.offer(rows, unseen)
    if form.validate_on_submit():
        if form.decision.data == "different":
            return _save(draft_id, not_same_as=[r.id for r in rows], unseen=unseen)
        added = drafts.add_to_existing(current_user, draft_id, int(form.decision.data))
        flash(f"No new record was made. {plural(added, 'service')} of yours "
              f"{'was' if added == 1 else 'were'} added to the existing record.", "success")
        return redirect(url_for("children.index"))
    drafts.show_matches(current_user, rows)
    return render_template("children/matches.html", rows=rows, form=form, draft=draft,
                           hidden=len(unseen)), 422 if form.is_submitted() else 200


# the steps a person may be sent back to from "throw this away?" (no other address)
_STEPS = {"details", "identifiers", "carers", "services", "check"}


@bp.route("/new/<int:draft_id>/cancel", methods=["GET", "POST"])
def cancel(draft_id):
    """Throw the draft away, once the person has said yes on a page of its own."""
    draft = drafts.find(current_user, draft_id)
    if request.method == "POST" and request.form.get("confirm") == "yes":
        drafts.discard(current_user, draft.id)
        flash("Nothing was saved: the child's details you entered have been thrown away.",
              "info")
        return redirect(url_for("children.index"))
    back = request.values.get("back")
    back = back if back in _STEPS else "check"
    endpoint = {"carers": "children.list_step", "services": "children.list_step",
                "check": "children.check"}.get(back, "children.step")
    return render_template("children/cancel.html", draft=draft, back=url_for(
        endpoint, draft_id=draft.id, **({} if back == "check" else {"step": back})))


@bp.route("/validate/<any(details, identifiers, services):form_name>/<field>",
          methods=["POST"])
def validate_field(form_name, field):
    """htmx: check one field the person has just left; answers with the form's fields, only
    that one judged (htmx takes its form group and live region from them)."""
    form_class, fields = VALIDATABLE[form_name]
    form = form_class()
    if field not in form._fields or field in ("submit", "csrf_token"):
        abort(404)
    form.validate()
    for other in form:
        if other.name != field:
            other.errors = []
    if fields is None:
        return render_template("children/_live_message.html", field=form[field])
    return render_template(fields, form=form, checked=field)
