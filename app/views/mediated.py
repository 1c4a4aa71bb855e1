"""Mediated access: requesters' own requests, the brokers' queue and answers, the letter."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.extensions import db
from app.forms import EmptyForm
from app.forms.mediated import DeclineForm, RequestForm
from app.forms.search import SearchForm
from app.models import Child, MediatedRequest, Organisation, RequestStatus, Role
from app.services import mediated, pdf
from app.services import search as directory
from app.services.children import NotAllowed, Refused
from app.views._common import audit_event, client_ip
from app.views.search import _criteria

bp = Blueprint("mediated", __name__, url_prefix="/requests")

VALUES = ("requester_name", "requester_organisation", "requester_role", "requester_contact",
          "child_given_names", "child_family_name", "child_date_of_birth",
          "child_other_details", "reason")


def _request_form() -> RequestForm:
    form = RequestForm()
    orgs = db.session.execute(sa.select(Organisation.id, Organisation.name)
                              .order_by(Organisation.name)).all()
    form.addressed_to.choices = [(i, n) for i, n in orgs]
    if current_user.role == Role.requester and not form.is_submitted():
        form.requester_name.data = current_user.name
        form.requester_organisation.data = current_user.organisation.name
        form.requester_contact.data = current_user.email
    return form


def _own(request_id: int) -> MediatedRequest:
    found = db.session.get(MediatedRequest, request_id)
    if found is None or found.requester_user_id != current_user.id:
        abort(404)
    return found


def _brokered(request_id: int) -> MediatedRequest:
    found = db.session.get(MediatedRequest, request_id)
    if found is None:
        abort(404)
    if not mediated.may_broker(current_user, found):
        abort(403)
    return found


@bp.route("")
def mine():
    """Your requests and their answers."""
    return render_template("mediated/mine.html", requests=mediated.mine(current_user))


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Ask for a look-up: requesters for themselves, staff for someone who phoned or wrote."""
    if current_user.role not in (Role.requester, Role.practitioner) \
            and not current_user.is_management:
        abort(403)
    form = _request_form()
    if form.validate_on_submit():
        values = {name: form[name].data or None for name in VALUES}
        values.update(addressed_to_id=form.addressed_to.data, urgent=form.urgency.data ==
                      "urgent")
        own = current_user.role == Role.requester
        created = mediated.create(requester=current_user if own else None,
                                  logged_by=None if own else current_user, values=values,
                                  ip=client_ip())
        db.session.commit()
        flash(f"Request {created.reference} has been sent.", "success")
        return redirect(url_for("mediated.mine" if own else "mediated.queue"))
    return render_template("mediated/new.html", form=form,
                           on_behalf=current_user.role != Role.requester), \
        422 if form.is_submitted() else 200


@bp.route("/<int:request_id>")
def detail(request_id):
    """One of your requests: where it is, and the answer."""
    own = _own(request_id)
    shown, withheld = mediated.disclosed(own)
    if own.status == RequestStatus.answered:
        audit_event("mediated.answer_viewed", subject_type="mediated_request",
                    subject_id=own.id, child_id=own.child_id, reason_category=mediated.REASON,
                    detail={"withheld": withheld} if withheld else None)
        db.session.commit()
    return render_template("mediated/detail.html", item=own, disclosed=shown,
                           withheld=withheld)


@bp.route("/<int:request_id>/letter.pdf")
def letter(request_id):
    """The answer as a printable letter (PDF)."""
    own = _own(request_id)
    if own.status != RequestStatus.answered:
        abort(404)
    broker_org = db.session.get(Organisation, own.addressed_to_id)
    shown, withheld = mediated.disclosed(own)
    body = pdf.render("mediated/letter.html", item=own, disclosed=shown, withheld=withheld,
                      organisation=broker_org)
    audit_event("mediated.letter_downloaded", subject_type="mediated_request",
                subject_id=own.id, child_id=own.child_id, reason_category=mediated.REASON,
                detail={"withheld": withheld} if withheld else None)
    db.session.commit()
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{own.reference}.pdf"'})


@bp.route("/queue")
def queue():
    """Requests for your organisation (all, for the management team)."""
    if current_user.role != Role.practitioner and not current_user.is_management:
        abort(403)
    return render_template("mediated/queue.html", requests=mediated.queue(current_user),
                           form=EmptyForm())


@bp.route("/<int:request_id>/claim", methods=["POST"])
def claim(request_id):
    """Claim a request so that nobody else answers it too."""
    item = _brokered(request_id)
    if not mediated.claim(current_user, item, ip=client_ip()):
        db.session.rollback()
        flash("Someone else has already claimed that request.", "info")
        return redirect(url_for("mediated.queue"))
    db.session.commit()
    return redirect(url_for("mediated.work", request_id=item.id))


@bp.route("/<int:request_id>/work", methods=["GET", "POST"])
def work(request_id):
    """Look the child up under the request, then choose what to tell them."""
    item = _brokered(request_id)
    if item.claimed_by_user_id != current_user.id or item.status != RequestStatus.in_progress:
        abort(403)
    form, outcome, problem = SearchForm(), None, None
    if form.validate_on_submit():
        try:
            outcome = directory.search(
                current_user, _criteria(form), cap=current_app.config["SEARCH_CAP"],
                ip=client_ip(), on_behalf_of_user_id=item.requester_user_id,
                reason_category=mediated.REASON, note=item.reference)
        except directory.NeedMore as error:
            problem = str(error)
        db.session.commit()
    return render_template("mediated/work.html", item=item, form=form, outcome=outcome,
                           problem=problem, cap=current_app.config["SEARCH_CAP"],
                           decline=DeclineForm(prefix="d")), 422 if form.errors or problem \
        else 200


@bp.route("/<int:request_id>/children/<int:child_id>", methods=["GET", "POST"])
def choose(request_id, child_id):
    """What the policy lets you tell this requester about the child; tick what to send."""
    item = _brokered(request_id)
    child = db.session.get(Child, child_id) or abort(404)
    problem = None
    if request.method == "POST":
        try:
            mediated.answer(current_user, item, child, request.form.getlist("field"),
                            ip=client_ip())
        except NotAllowed:
            abort(403)
        except Refused as error:
            db.session.rollback()
            problem = str(error)
        else:
            db.session.commit()
            flash(f"Request {item.reference} has been answered.", "success")
            return redirect(url_for("mediated.queue"))
    try:
        fields = mediated.options(current_user, item, child, ip=client_ip())
    except (NotAllowed, Refused):
        abort(403)
    db.session.commit()
    return render_template("mediated/choose.html", item=item, fields=fields,
                           child_id=child.id, form=EmptyForm(), problem=problem), \
        422 if problem else 200


@bp.route("/<int:request_id>/decline", methods=["POST"])
def decline(request_id):
    """Decline the request, saying why."""
    item = _brokered(request_id)
    form = DeclineForm(prefix="d")
    try:
        if not form.validate():
            raise Refused("Give the reason for declining")
        mediated.decline(current_user, item, form.reason.data, ip=client_ip())
    except Refused as error:
        db.session.rollback()
        flash(str(error), "info")
        return redirect(url_for("mediated.work", request_id=item.id))
    db.session.commit()
    flash(f"Request {item.reference} has been declined.", "success")
    return redirect(url_for("mediated.queue"))
