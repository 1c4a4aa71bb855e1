"""Collecting a subject access report from a secure link: nothing about the child is shown
before the passphrase, which was sent separately."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, session, url_for

from app.extensions import limiter
from app.forms.documents import PassphraseForm
from app.services import sar_release
from app.views._common import download, public

bp = Blueprint("documents", __name__, url_prefix="/documents")
limiter.limit(lambda: current_app.config["RATELIMIT_SIGN_IN"], methods=["POST"])(bp)

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
    """Enter the passphrase to download the documents."""
    request = sar_release.live_link(session.get("document_token") or "")
    if request is None:
        abort(404, description=GONE)
    form = PassphraseForm()
    if form.validate_on_submit():
        try:
            document = sar_release.collect(request, form.passphrase.data)
        except sar_release.Withdrawn:  # the record changed since: the link no longer works
            abort(404, description=GONE)
        if document is not None:
            return download(document, f"{request.reference}.pdf")
        form.passphrase.errors.append("That passphrase is not right. After 5 wrong tries the "
                                      "link stops working")
    return render_template("documents/collect.html", form=form,
                           sender=sar_release.sender()), 422 if form.errors else 200
