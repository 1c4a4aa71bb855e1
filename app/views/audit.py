"""The audit trail for the management team, and every user's own access history."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from app.core.clock import now
from app.forms.audit import AuditFilterForm
from app.services import disclosure, monitoring
from app.services.access import REASON_LABELS
from app.views._common import download
from app.views.guards import only

bp = Blueprint("audit", __name__)
audit_readers = only(disclosure.may_read_audit)


def _filter_form(data) -> AuditFilterForm:
    form = AuditFilterForm(data)
    form.offer(*monitoring.filter_choices())
    return form


@bp.route("/audit")
@audit_readers
def trail():
    """The audit trail, filtered."""
    form = _filter_form(request.args)
    valid = form.validate() if request.args else True
    page = min(max(request.args.get("page", 1, type=int), 1), 10**6)
    rows, total = monitoring.events(form.filters() if valid else monitoring.Filters(),
                                    page=page)
    args = {k: v for k, v in request.args.items(multi=False) if k != "page"}
    return render_template("audit/trail.html", form=form, rows=rows, total=total, page=page,
                           args=args, labels=REASON_LABELS), 200 if valid else 422


@bp.route("/audit/export", methods=["POST"])
@audit_readers
def export():
    """The filtered trail as CSV; the export is itself recorded."""
    form = _filter_form(request.form)
    if not form.validate():
        abort(400)
    return download(monitoring.export(current_user, form.filters()),
                    f"teamaround-audit-{now():%Y-%m-%d}.csv", "text/csv")


@bp.route("/audit/children/<int:child_id>")
@audit_readers
def child_history(child_id):
    """Who looked at one child's record, when and why."""
    rows, total = monitoring.child_history(current_user, child_id)
    return render_template("audit/child.html", rows=rows, total=total, child_id=child_id,
                           labels=REASON_LABELS)


@bp.route("/audit/monitoring")
@audit_readers
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
