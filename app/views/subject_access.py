"""Subject access requests for the management team: intake, checks, the clock, the board,
the report and its release."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.clock import now
from app.forms import EmptyForm
from app.forms.subject_access import (
    ChecksForm,
    ExtensionForm,
    IntakeForm,
    RequesterEntryForm,
)
from app.services import mail, records, sar_release, sar_report, subject_access
from app.views._common import base_url, download, refusal
from app.views.guards import guard, is_management

bp = Blueprint("subject_access", __name__, url_prefix="/subject-access")
guard(bp, is_management)
INTAKE = ("requester_name", "requester_address", "requester_email", "requester_relationship",
          "channel", "received_on", "id_needed")


@bp.route("")
def board():
    """Every request not yet delivered, by state, with days left: amber under 7 days, red
    when overdue."""
    return render_template("subject_access/board.html", now=now(),
                           rows=subject_access.board(current_user),
                           relationships=subject_access.RELATIONSHIPS)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Log a request as it was received."""
    form = IntakeForm()
    if form.validate_on_submit():
        with refusal(form.child):
            item = subject_access.create(current_user, form.child.data,
                                         {name: form[name].data for name in INTAKE})
            flash(f"Request {item.reference} logged.", "success")
            return redirect(url_for("subject_access.detail", request_id=item.id))
    return render_template("subject_access/new.html", form=form), 422 if form.errors else 200


def _page(request_id, checks=None, extension=None, status=200, problem=None):
    item = subject_access.find(current_user, request_id)
    entry = RequesterEntryForm(prefix="e")
    entry.offer(subject_access.carers(item), item.requester_carer_id)
    return render_template(
        "subject_access/detail.html", item=item, due=subject_access.due(item),
        row=records.about(current_user, item.child_id), form=EmptyForm(), entry=entry,
        checks=checks or ChecksForm(prefix="c"), extension=extension or ExtensionForm(prefix="x"),
        relationships=subject_access.RELATIONSHIPS, channels=subject_access.CHANNELS,
        missing=sar_report.missing_details(sar_report.controller()),
        tasks=sar_release.tasks(current_user, item), problem=problem,
        postable=sar_release.postable(item)), status


def _back(request_id, status=302):
    return redirect(url_for("subject_access.detail", request_id=request_id), status)


@bp.route("/<int:request_id>")
def detail(request_id):
    """One request: the checks, the clock and what is due."""
    return _page(request_id)


@bp.route("/<int:request_id>/checks", methods=["POST"])
def checks(request_id):
    """Record the identity and parental-responsibility checks."""
    form = ChecksForm(prefix="c")
    if form.validate():
        with refusal(form.identity):
            subject_access.record_checks(
                current_user, request_id, identity=form.identity.data,
                responsibility=form.responsibility.data,
                id_received_on=form.id_received_on.data)
            flash("Checks recorded.", "success")
            return _back(request_id)
    return _page(request_id, checks=form, status=422)


@bp.route("/<int:request_id>/requester", methods=["POST"])
def requester(request_id):
    """Say which entry on the record is the requester's own."""
    form = RequesterEntryForm(prefix="e")
    form.offer(subject_access.carers(subject_access.find(current_user, request_id)), None)
    if form.validate():
        with refusal():
            subject_access.link_carer(current_user, request_id, form.carer_id)
            flash("Saved.", "success")
    return _back(request_id)


@bp.route("/<int:request_id>/<any(pause, resume):action>", methods=["POST"])
def clock(request_id, action):
    """Pause the clock for clarification, or restart it."""
    with refusal():
        subject_access.pause_or_resume(current_user, request_id, action)
    return _back(request_id)


@bp.route("/<int:request_id>/extend", methods=["POST"])
def extend(request_id):
    """Extend a complex request by two months (only within the first month)."""
    form = ExtensionForm(prefix="x")
    if form.validate():
        with refusal(form.reason):
            subject_access.extend(current_user, request_id, form.reason.data)
            flash("Extended by two months.", "success")
            return _back(request_id)
    return _page(request_id, extension=form, status=422)


@bp.route("/<int:request_id>/<any(report, redactions):kind>.pdf")
def document(request_id, kind):
    """The requester's report, or the redaction log for the data-protection officer."""
    item, body = sar_release.document(current_user, request_id, kind)
    return download(body, f"{item.reference}-{kind}.pdf")


@bp.route("/<int:request_id>/prepared")
def prepared(request_id):
    """The prepared report exactly as it will be sent, to read before approving it."""
    with refusal():
        item, body = sar_release.prepared_copy(current_user, request_id)
        return download(body, f"{item.reference}-prepared.pdf", inline=True)
    return _back(request_id, 303)


@bp.route("/<int:request_id>/approve")
def approval(request_id):
    """The approver's page: open the prepared report, check it, approve it."""
    with refusal():
        item, preparer, opened = sar_release.awaiting(current_user, request_id)
        return render_template("subject_access/approve.html", item=item, preparer=preparer,
                               opened=opened, form=EmptyForm())
    return _back(request_id, 303)


@bp.route("/<int:request_id>/<any(prepare, approve):step>", methods=["POST"])
def release_step(request_id, step):
    """Prepare the report for release, or approve one a colleague prepared (having
    opened it)."""
    with refusal():
        (sar_release.prepare if step == "prepare" else sar_release.approve)(
            current_user, request_id)
        flash("Report prepared: a second member of the management team approves it next."
              if step == "prepare" else "Report approved: it can be released.", "success")
        return _back(request_id)
    if step == "approve":
        return redirect(url_for("subject_access.approval", request_id=request_id), 303)
    return _back(request_id, 303)


@bp.route("/<int:request_id>/release/<any(post, link):how>", methods=["POST"])
def release(request_id, how):
    """Release the approved report (after saying yes on a page of its own): download to
    post, or a passphrase-protected link."""
    item = subject_access.find(current_user, request_id)
    if how == "post" and item.status == "approved" and not sar_release.postable(item):
        return _page(request_id, problem=sar_release.NO_ADDRESS, status=422)
    if request.form.get("confirm") != "yes" and item.status == "approved":
        return render_template("subject_access/release_confirm.html", how=how, item=item)
    with refusal():
        if how == "post":
            item, body = sar_release.release_by_post(current_user, request_id)
            return download(body, f"{item.reference}.pdf")
        item, token, passphrase = sar_release.release_by_link(current_user, request_id)
        return render_template("subject_access/link_created.html", item=item,
                               emailed=mail.enabled() and bool(item.requester_email),
                               passphrase=passphrase,
                               link=base_url() + url_for("documents.link", token=token))
    return _back(request_id, 303)
