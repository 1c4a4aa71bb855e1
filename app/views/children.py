"""Entering a child step by step: details, identifiers, carers, services, check, save."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.forms import EmptyForm
from app.forms.child import CarerForm, DetailsForm, IdentifiersForm, MatchForm, ServiceForm
from app.models import Child, Gender, Scheme, ServiceType
from app.services import audit, children, disclosure, matching
from app.views._children import (
    CARER_FIELDS,
    DETAIL_FIELDS,
    IDENTIFIER_FIELDS,
    SERVICE_FIELDS,
    fill_form,
    form_values,
    require_child_staff,
)
from app.views._common import client_ip

bp = Blueprint("children", __name__, url_prefix="/children")

SIMPLE_STEPS = {"details": (DetailsForm, DETAIL_FIELDS), "identifiers": (IdentifiersForm,
                                                                          IDENTIFIER_FIELDS)}
LIST_STEPS = {"carers": (CarerForm, CARER_FIELDS), "services": (ServiceForm, SERVICE_FIELDS)}
NEXT = {"details": "identifiers", "identifiers": "carers", "carers": "services",
        "services": "check"}
VALIDATABLE = {"details": DetailsForm, "identifiers": IdentifiersForm, "services": ServiceForm}


@bp.before_request
def _staff_only():
    require_child_staff()


def _draft(draft_id):
    draft = children.get_draft(current_user, draft_id)
    if draft is None:
        abort(404, description="This draft has expired or does not exist. Start again: "
                               "nothing was saved.")
    return draft


@bp.route("/")
def index():
    """The children your organisation works with."""
    rows = disclosure.own_children(current_user)
    audit.record("children.listed", actor_user_id=current_user.id, ip=client_ip(),
                 organisation_id=current_user.organisation_id, detail={"rows": len(rows)})
    db.session.commit()
    return render_template("children/index.html", rows=rows, form=EmptyForm())


@bp.route("/new", methods=["POST"])
def start():
    """Start entering a child (a draft only you can see, kept for a day)."""
    draft = children.new_draft(current_user)
    db.session.commit()
    return redirect(url_for("children.step", draft_id=draft.id, step="details"))


@bp.route("/new/<int:draft_id>/<any(details, identifiers):step>", methods=["GET", "POST"])
def step(draft_id, step):
    """A one-form step of entering a child."""
    draft = _draft(draft_id)
    data = children.draft_data(draft)
    form_class, names = SIMPLE_STEPS[step]
    form = form_class()
    if not form.is_submitted():
        fill_form(form, data.get(step, {}))
    elif form.validate():
        data[step] = form_values(form, names)
        children.save_draft(draft, data)
        db.session.commit()
        if request.args.get("from") == "check":
            return redirect(url_for("children.check", draft_id=draft.id))
        return redirect(url_for("children.list_step", draft_id=draft.id, step=NEXT[step])
                        if NEXT[step] in LIST_STEPS else
                        url_for("children.step", draft_id=draft.id, step=NEXT[step]))
    status = 422 if form.is_submitted() else 200
    return render_template(f"children/new_{step}.html", form=form, draft=draft, data=data,
                           returning=request.args.get("from") == "check"), status


@bp.route("/new/<int:draft_id>/<any(carers, services):step>", methods=["GET", "POST"])
def list_step(draft_id, step):
    """Add carers or services one at a time; each is checked as it is added."""
    draft = _draft(draft_id)
    data = children.draft_data(draft)
    form_class, names = LIST_STEPS[step]
    form = form_class()
    if form.validate_on_submit():
        data.setdefault(step, []).append(form_values(form, names))
        children.save_draft(draft, data)
        db.session.commit()
        flash("Added. Add another, or continue.", "success")
        return redirect(url_for("children.list_step", draft_id=draft.id, step=step))
    status = 422 if form.is_submitted() else 200
    return render_template(f"children/new_{step}.html", form=form, draft=draft, data=data,
                           items=data.get(step, []), remove_form=EmptyForm(),
                           service_types=ServiceType, next_step=NEXT[step]), status


@bp.route("/new/<int:draft_id>/<any(carers, services):step>/<int:index>/remove",
          methods=["POST"])
def remove_item(draft_id, step, index):
    """Take a carer or service off the draft."""
    draft = _draft(draft_id)
    data = children.draft_data(draft)
    items = data.get(step, [])
    if not 0 <= index < len(items):
        abort(404)
    items.pop(index)
    children.save_draft(draft, data)
    db.session.commit()
    return redirect(url_for("children.list_step", draft_id=draft.id, step=step))


@bp.route("/new/<int:draft_id>/check", methods=["GET", "POST"])
def check(draft_id):
    """Check your answers, then save (asking about likely duplicates first)."""
    draft = _draft(draft_id)
    data = children.draft_data(draft)
    if "details" not in data:
        return redirect(url_for("children.step", draft_id=draft.id, step="details"))
    form = EmptyForm()
    if form.validate_on_submit():
        if _matches(data):
            return redirect(url_for("children.matches", draft_id=draft.id))
        return _save(draft, data)
    return render_template("children/check.html", data=data, draft=draft, form=form,
                           genders=Gender, schemes=Scheme, service_types=ServiceType)


def _matches(data):
    details = data["details"]
    return matching.likely_matches(
        given_names=details["given_names"], family_name=details["family_name"],
        date_of_birth=date.fromisoformat(details["date_of_birth"]),
        identifier_values={Scheme(k): v for k, v in data.get("identifiers", {}).items() if v})


def _may_show(match) -> bool:
    """A likely match is shown only if the user could open it anyway, and never because of
    an NHS number the user could not see (the search refuses that match too)."""
    if not disclosure.may_open(current_user, match.child):
        return False
    nhs_only = match.reasons == [f"same {Scheme.nhs.label}"]
    return not nhs_only or disclosure.may_see_nhs_number(current_user, match.child)


def _save(draft, data, not_same_as=None):
    try:
        child = children.create_from_draft(current_user, data, ip=client_ip(),
                                           not_same_as=not_same_as)
    except children.Refused as error:
        db.session.rollback()
        flash(str(error), "info")
        return redirect(url_for("children.check", draft_id=draft.id))
    name = child.full_name
    db.session.delete(draft)
    db.session.commit()
    flash(f"{name}'s record has been saved.", "success")
    return redirect(url_for("children.index"))


@bp.route("/new/<int:draft_id>/matches", methods=["GET", "POST"])
def matches(draft_id):
    """Likely duplicates: the same child (add your services to it) or a different child."""
    draft = _draft(draft_id)
    data = children.draft_data(draft)
    found = _matches(data) if "details" in data else []
    if not found:
        return redirect(url_for("children.check", draft_id=draft.id))
    # Only records this user could open anyway are shown; the rest are only counted, so
    # typing an identifier never reveals (or attaches the user to) someone else's child.
    visible = [m for m in found if _may_show(m)]
    hidden = [m.child.id for m in found if m not in visible]
    rows = [disclosure.project_row(current_user, m.child, m.reasons) for m in visible]
    form = MatchForm()
    form.decision.choices = [(str(r.id), f"Same child as {r.name}") for r in rows] + [
        ("different", "This is a different child" if not hidden else
         "Save it as a new record: the management team will check for a duplicate")]
    if form.validate_on_submit():
        if form.decision.data == "different":
            for child_id in hidden:
                audit.record("child.possible_duplicate", actor_user_id=current_user.id,
                             ip=client_ip(), organisation_id=current_user.organisation_id,
                             child_id=child_id, reason_category="updating_record")
            return _save(draft, data, not_same_as=[r.id for r in rows] + hidden)
        child = db.session.get(Child, int(form.decision.data))
        try:
            added = children.add_draft_involvements_to(current_user, child, data,
                                                       ip=client_ip())
        except children.NotAllowed:
            abort(403)
        db.session.delete(draft)
        db.session.commit()
        flash(f"No new record was made. {added} service(s) of yours were added to the "
              "existing record.", "success")
        return redirect(url_for("children.index"))
    for match in visible:  # each shown candidate's own history records the look
        audit.record("child.match_shown", actor_user_id=current_user.id, ip=client_ip(),
                     organisation_id=current_user.organisation_id, child_id=match.child.id,
                     reason_category="updating_record", shielded=match.child.shielded)
    db.session.commit()
    status = 422 if form.is_submitted() else 200
    return render_template("children/matches.html", rows=rows, form=form, draft=draft,
                           hidden=len(hidden)), status


@bp.route("/new/<int:draft_id>/cancel", methods=["POST"])
def cancel(draft_id):
    """Throw the draft away."""
    db.session.delete(_draft(draft_id))
    db.session.commit()
    flash("Nothing was saved.", "info")
    return redirect(url_for("children.index"))


@bp.route("/validate/<any(details, identifiers, services):form_name>/<field>",
          methods=["POST"])
def validate_field(form_name, field):
    """htmx: check one field as it is typed; answers with that field's form group."""
    form = VALIDATABLE[form_name]()
    if field not in form._fields or field in ("submit", "csrf_token"):
        abort(404)
    form.validate()
    return render_template("children/_live_message.html", field=form[field])
