"""Subject access requests for the management team: intake, checks, the clock, the board."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.core.clock import now
from app.extensions import db
from app.forms import EmptyForm
from app.forms.sar import ChecksForm, ExtensionForm, IntakeForm
from app.models import Child, ChildStatus, SubjectAccessRequest
from app.services import disclosure, pdf, sar_release, sar_report, subject_access
from app.services.children import Refused
from app.views._common import audit_event, base_url, client_ip
from app.views.audit import management_only

bp = Blueprint("sar", __name__, url_prefix="/subject-access")


@bp.route("")
@management_only
def board():
    """Every request not yet delivered, by state, with days left: amber under 7 days, red
    when overdue."""
    return render_template("sar/board.html", rows=subject_access.board(),
                           relationships=subject_access.RELATIONSHIPS, now=now())


@bp.route("/new", methods=["GET", "POST"])
@management_only
def new():
    """Log a request as it was received."""
    form = IntakeForm()
    if form.validate_on_submit():
        child = db.session.get(Child, form.child.data)
        if child is None or child.status == ChildStatus.merged:
            form.child.errors.append("There is no record with that reference")
        else:
            request = subject_access.create(current_user, child, {
                "requester_name": form.requester_name.data,
                "requester_relationship": form.requester_relationship.data,
                "channel": form.channel.data, "received_on": form.received_on.data,
                "id_needed": form.id_needed.data}, ip=client_ip())
            db.session.commit()
            flash(f"Request {request.reference} logged.", "success")
            return redirect(url_for("sar.detail", request_id=request.id))
    return render_template("sar/new.html", form=form), 422 if form.errors else 200


def _request(request_id: int) -> SubjectAccessRequest:
    found = db.session.get(SubjectAccessRequest, request_id)
    if found is None:
        abort(404)
    return found


def _page(request, checks=None, extension=None, status=200):
    child = db.session.get(Child, request.child_id)
    return render_template(
        "sar/detail.html", item=request, row=disclosure.project_row(current_user, child),
        due=subject_access.due(request), checks=checks or ChecksForm(prefix="c"),
        extension=extension or ExtensionForm(prefix="x"), form=EmptyForm(),
        relationships=subject_access.RELATIONSHIPS, channels=subject_access.CHANNELS,
        missing=sar_report.missing_details(sar_report.controller()),
        today=now().date()), status


@bp.route("/<int:request_id>")
@management_only
def detail(request_id):
    """One request: the checks, the clock and what is due."""
    return _page(_request(request_id))


@bp.route("/<int:request_id>/checks", methods=["POST"])
@management_only
def checks(request_id):
    """Record the identity and parental-responsibility checks."""
    request = _request(request_id)
    form = ChecksForm(prefix="c")
    if not form.validate():
        return _page(request, checks=form, status=422)
    subject_access.record_checks(current_user, request, identity=form.identity.data,
                                 responsibility=form.responsibility.data,
                                 id_received_on=form.id_received_on.data, ip=client_ip())
    db.session.commit()
    flash("Checks recorded.", "success")
    return redirect(url_for("sar.detail", request_id=request.id))


@bp.route("/<int:request_id>/<any(pause, resume):action>", methods=["POST"])
@management_only
def clock(request_id, action):
    """Pause the clock for clarification, or restart it."""
    request = _request(request_id)
    try:
        (subject_access.pause if action == "pause" else subject_access.resume)(
            current_user, request, ip=client_ip())
    except Refused as error:
        db.session.rollback()
        flash(str(error), "info")
    else:
        db.session.commit()
    return redirect(url_for("sar.detail", request_id=request.id))


@bp.route("/<int:request_id>/extend", methods=["POST"])
@management_only
def extend(request_id):
    """Extend a complex request by two months (only within the first month)."""
    request = _request(request_id)
    form = ExtensionForm(prefix="x")
    if form.validate():
        try:
            subject_access.extend(current_user, request, form.reason.data, ip=client_ip())
        except Refused as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash("Extended by two months.", "success")
            return redirect(url_for("sar.detail", request_id=request.id))
    return _page(request, extension=form, status=422)


@bp.route("/<int:request_id>/<any(report, redactions):kind>.pdf")
@management_only
def document(request_id, kind):
    """The requester's report, or the redaction log for the data-protection officer."""
    request = _request(request_id)
    report = sar_report.build(request)
    body = pdf.render(f"sar/{kind}.html", item=request, report=report, today=now().date())
    audit_event(f"sar.{kind}_generated", subject_type="subject_access_request",
                subject_id=request.id, child_id=request.child_id,
                reason_category="subject_access",
                detail={"withheld": len(report.redactions)})
    db.session.commit()
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{request.reference}-{kind}.pdf"'})


def _withdrawn(request, error):
    """The report was withdrawn on the way (its facts changed): keep that, and say so."""
    db.session.commit()
    flash(str(error), "info")
    return redirect(url_for("sar.detail", request_id=request.id)), 303


@bp.route("/<int:request_id>/<any(prepare, approve):step>", methods=["POST"])
@management_only
def release_step(request_id, step):
    """Prepare the report for release, or approve one a colleague prepared."""
    request = _request(request_id)
    try:
        if step == "prepare":
            report = sar_report.build(request)
            document = pdf.render("sar/report.html", item=request, report=report,
                                  today=now().date())
            sar_release.prepare(current_user, request, document, report.basis, ip=client_ip())
        else:
            sar_release.approve(current_user, request, ip=client_ip())
    except sar_release.Withdrawn as error:
        return _withdrawn(request, error)
    except Refused as error:
        db.session.rollback()
        flash(str(error), "info")
        return redirect(url_for("sar.detail", request_id=request.id)), 303
    db.session.commit()
    flash("Report prepared: a second member of the management team approves it next."
          if step == "prepare" else "Report approved: it can be released.", "success")
    return redirect(url_for("sar.detail", request_id=request.id))


@bp.route("/<int:request_id>/release/<any(post, link):how>", methods=["POST"])
@management_only
def release(request_id, how):
    """Release the approved report: download to post, or a passphrase-protected link."""
    request = _request(request_id)
    try:
        if how == "post":
            document = sar_release.release_by_post(current_user, request, ip=client_ip())
        else:
            token, passphrase = sar_release.release_by_link(current_user, request,
                                                            ip=client_ip())
    except sar_release.Withdrawn as error:
        return _withdrawn(request, error)
    except Refused as error:
        db.session.rollback()
        flash(str(error), "info")
        return redirect(url_for("sar.detail", request_id=request.id)), 303
    db.session.commit()
    if how == "post":
        return Response(document, mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{request.reference}.pdf"'})
    return render_template("sar/link_created.html", item=request, passphrase=passphrase,
                           link=base_url() + url_for("documents.link", token=token))
