"""Collecting a subject access report from a secure link: nothing about the child is shown
before the passphrase, which was sent separately."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, current_app, redirect, render_template, session, url_for

from app.core.clock import now
from app.extensions import limit_posts
from app.forms.documents import PassphraseForm
from app.services import sar_release
from app.views._common import download, public

bp = Blueprint("documents", __name__, url_prefix="/documents")
limit_posts(bp, lambda: current_app.config["RATELIMIT_SIGN_IN"])

OPENED_FOR = timedelta(minutes=15)  # how long the right passphrase lets this browser download
GONE = ("This link has expired, has been used with too many wrong passphrases, or does not "
        "exist. Contact the organisation that sent it for a new one.")


@bp.route("/<token>")
@public
def link(token):
    """Open the link; the token leaves the address bar at once."""
    if sar_release.live_link(token) is None:
        abort(404, description=GONE)
    session["document_token"] = token
    return redirect(url_for("documents.collect"))


@bp.route("", methods=["GET", "POST"])
@public
def collect():
    """Enter the passphrase; the right one leads to the page the documents download from
    (so that no earlier "not right" stays on screen beside a download that worked)."""
    request = sar_release.live_link(session.get("document_token") or "")
    if request is None:
        abort(404, description=GONE)
    form = PassphraseForm()
    if form.validate_on_submit():
        try:
            opened = sar_release.collect(request, form.passphrase.data)
        except sar_release.Withdrawn:  # the record changed since: the link no longer works
            abort(404, description=GONE)
        if opened:
            session["document_opened"] = {"request": request.id,
                                          "until": (now() + OPENED_FOR).isoformat()}
            return redirect(url_for("documents.ready"), 303)
        form.passphrase.errors.append("That passphrase is not right. After 5 wrong tries the "
                                      "link stops working")
    return render_template("documents/collect.html", form=form,
                           sender=sar_release.sender()), 422 if form.errors else 200


def _opened():
    """The request whose link this browser opened with its passphrase in the last few
    minutes (while the link still works), or None."""
    opened = session.get("document_opened") or {}
    request = sar_release.live_link(session.get("document_token") or "")
    if (request is None or opened.get("request") != request.id
            or datetime.fromisoformat(opened["until"]) <= now()):
        return None
    return request


@bp.route("/ready")
@public
def ready():
    """The passphrase was right: the documents to download."""
    if _opened() is None:
        return redirect(url_for("documents.collect"))
    return render_template("documents/ready.html", sender=sar_release.sender())


@bp.route("/report.pdf")
@public
def report():
    """The report itself, for a browser whose passphrase opened the link."""
    request = _opened()
    if request is None:
        return redirect(url_for("documents.collect"))
    try:
        reference, document = sar_release.download(request.id)
    except sar_release.Withdrawn:
        abort(404, description=GONE)
    return download(document, f"{reference}.pdf")
