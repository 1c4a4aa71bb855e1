"""Mediated access: requesters' own requests, the brokers' queue and answers, the letter."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.errors import NeedMore
from app.forms import EmptyForm
from app.forms.mediated import DeclineForm, RequestForm
from app.forms.search import SearchForm
from app.models import Role
from app.services import accounts, mediated
from app.services import search as directory
from app.views._common import download, refusal
from app.views.guards import is_asker, is_practitioner, only

bp = Blueprint("mediated", __name__, url_prefix="/requests")


@bp.route("")
def mine():
    """Your requests and their answers."""
    return render_template("mediated/mine.html", requests=mediated.mine(current_user))


@bp.route("/new", methods=["GET", "POST"])
@only(is_asker)
def new():
    """Ask for a look-up: requesters for themselves, staff for someone who phoned or wrote."""
    own = current_user.role == Role.requester
    form = RequestForm.for_user(current_user, accounts.organisation_choices())
    if form.validate_on_submit():
        created = mediated.create(requester=current_user if own else None,
                                  logged_by=None if own else current_user,
                                  values=form.values())
        flash(f"Request {created.reference} has been sent.", "success")
        if form.urgency.data == "urgent":
            flash(mediated.URGENT_ADVICE, "info")
        return redirect(url_for("mediated.mine" if own else "mediated.queue"))
    return render_template("mediated/new.html", form=form, on_behalf=not own,
                           URGENT_ADVICE=mediated.URGENT_ADVICE), \
        422 if form.is_submitted() else 200


@bp.route("/<int:request_id>")
def detail(request_id):
    """One of your requests: where it is, and the answer (as the rules allow today)."""
    item, shown, withheld = mediated.view_answer(current_user, request_id)
    return render_template("mediated/detail.html", item=item, disclosed=shown,
                           withheld=withheld)


@bp.route("/<int:request_id>/letter.pdf")
def letter(request_id):
    """The answer as a printable letter (PDF)."""
    item, body = mediated.letter(current_user, request_id)
    return download(body, f"{item.reference}.pdf")


@bp.route("/queue")
@only(is_practitioner)
def queue():
    """Requests for your organisation (all, for the management team)."""
    return render_template("mediated/queue.html", requests=mediated.queue(current_user),
                           form=EmptyForm())


@bp.route("/<int:request_id>/claim", methods=["POST"])
def claim(request_id):
    """Claim a request so that nobody else answers it too."""
    item = mediated.find_for_broker(current_user, request_id)
    if not mediated.claim(current_user, item):
        flash("Someone else has already claimed that request.", "info")
        return redirect(url_for("mediated.queue"))
    return redirect(url_for("mediated.work", request_id=item.id))


@bp.route("/<int:request_id>/work", methods=["GET", "POST"])
def work(request_id):
    """Look the child up under the request, then choose what to tell them."""
    item = mediated.find_working(current_user, request_id)
    form, outcome, problem = SearchForm(), None, None
    if form.validate_on_submit():
        try:
            outcome = directory.search(
                current_user, form.criteria(), cap=current_app.config["SEARCH_CAP"],
                on_behalf_of_user_id=item.requester_user_id,
                reason_category=mediated.REASON, note=item.reference)
        except NeedMore as error:
            problem = str(error)
    return render_template("mediated/work.html", item=item, form=form, outcome=outcome,
                           problem=problem, cap=current_app.config["SEARCH_CAP"],
                           decline=DeclineForm(prefix="d")), \
        422 if form.errors or problem else 200


@bp.route("/<int:request_id>/children/<int:child_id>", methods=["GET", "POST"])
def choose(request_id, child_id):
    """What the policy lets you tell this requester about the child; tick what to send."""
    item = mediated.find_for_broker(current_user, request_id)
    child = mediated.child_to_answer(current_user, item, child_id)
    problem = None
    if request.method == "POST":
        with refusal(quiet=True) as refused:
            mediated.answer(current_user, item, child, request.form.getlist("field"))
            flash(f"Request {item.reference} has been answered.", "success")
            return redirect(url_for("mediated.queue"))
        problem = refused.message
    fields = mediated.options(current_user, item, child)
    return render_template("mediated/choose.html", item=item, fields=fields,
                           child_id=child.id, form=EmptyForm(), problem=problem), \
        422 if problem else 200


@bp.route("/<int:request_id>/decline", methods=["POST"])
def decline(request_id):
    """Decline the request, saying why."""
    item = mediated.find_for_broker(current_user, request_id)
    form = DeclineForm(prefix="d")
    if form.validate() and form.reason.data and request.form.get("confirm") != "yes":
        return render_template("mediated/decline_confirm.html", item=item,
                               reason=form.reason.data)
    with refusal():
        mediated.decline(current_user, item, form.reason.data if form.validate() else "")
        flash(f"Request {item.reference} has been declined.", "success")
        return redirect(url_for("mediated.queue"))
    return redirect(url_for("mediated.work", request_id=item.id))

