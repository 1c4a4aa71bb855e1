"""The audit trail for the management team, and every user's own access history."""

from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user

from app.core.clock import now
from app.extensions import db
from app.forms.audit import AuditFilterForm
from app.models import Organisation, User
from app.services import monitoring
from app.services.access import REASON_LABELS
from app.views._common import audit_event

bp = Blueprint("audit", __name__)


def management_only(view):
    """Refuse (403) anyone outside the management team."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_management:
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def _filter_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    people = db.session.execute(sa.select(User.id, User.name).order_by(User.name)).all()
    orgs = db.session.execute(sa.select(Organisation.id, Organisation.name)
                              .order_by(Organisation.name)).all()
    form.user.choices = [(None, "Anyone")] + [(i, n) for i, n in people]
    form.organisation.choices = [(None, "Any organisation")] + [(i, n) for i, n in orgs]
    form.action.choices = [("", "Any action")] + [(a, a) for a in monitoring.actions()]
    form.reason.choices = [("", "Any reason")] + [(k.value, v) for k, v in REASON_LABELS.items()]
    return form


def _filters(form: AuditFilterForm) -> monitoring.Filters:
    return monitoring.Filters(
        user_id=form.user.data, organisation_id=form.organisation.data, child_id=form.child.data,
        action=form.action.data or None, reason=form.reason.data or None,
        date_from=form.date_from.data, date_to=form.date_to.data)


@bp.route("/audit")
@management_only
def trail():
    """The audit trail, filtered."""
    form = _filter_form()
    valid = form.validate() if request.args else True
    page = min(max(request.args.get("page", 1, type=int), 1), 10**6)
    rows, total = monitoring.events(_filters(form) if valid else monitoring.Filters(), page=page)
    args = {k: v for k, v in request.args.items(multi=False) if k != "page"}
    return render_template("audit/trail.html", form=form, rows=rows, total=total, page=page,
                           args=args, labels=REASON_LABELS), 200 if valid else 422


@bp.route("/audit/export", methods=["POST"])
@management_only
def export():
    """The filtered trail as CSV; the export is itself recorded."""
    form = _filter_form()
    form.process(request.form)
    if not form.validate():
        abort(400)
    filters = _filters(form)
    body = monitoring.to_csv(filters)
    audit_event("audit.exported", detail={"filters": {k: str(v) for k, v in
                                                      filters.__dict__.items() if v}})
    db.session.commit()
    name = f"teamaround-audit-{now():%Y-%m-%d}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/audit/children/<int:child_id>")
@management_only
def child_history(child_id):
    """Who looked at one child's record, when and why."""
    rows, total = monitoring.events(monitoring.Filters(child_id=child_id), per_page=500)
    audit_event("audit.child_history_viewed", child_id=child_id)
    db.session.commit()
    return render_template("audit/child.html", rows=rows, total=total, child_id=child_id,
                           labels=REASON_LABELS)


@bp.route("/audit/monitoring")
@management_only
def watch():
    """Warning signs: unusual volumes, out-of-hours looks, capped searches, shielded access."""
    threshold = current_app.config["MONITOR_DAILY_VIEWS"]
    return render_template("audit/monitoring.html", busy=monitoring.busy_users(7, threshold),
                           late=monitoring.out_of_hours(), capped=monitoring.capped_searches(),
                           shielded=monitoring.shielded_access(), labels=REASON_LABELS,
                           duplicates=monitoring.possible_duplicates(),
                           threshold=threshold)


@bp.route("/account/history")
def own_history():
    """Your own access history: every search and record you opened, and why."""
    rows, total = monitoring.events(monitoring.Filters(user_id=current_user.id), per_page=200)
    return render_template("audit/own.html", rows=rows, total=total, labels=REASON_LABELS)
