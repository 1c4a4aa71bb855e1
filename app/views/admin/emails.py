"""Outgoing email, for the management team: every message queued or sent (to whom, which
kind, when; never a body), what is failing and why, and a way to try one again now."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.forms import EmptyForm
from app.services import mail
from app.views.admin import bp


def _management_only() -> None:
    if not current_user.is_management:
        abort(403)


@bp.route("/emails")
def emails():
    """The record of email: queued, sent, failing."""
    _management_only()
    return render_template("admin/emails.html", rows=mail.recent(), enabled=mail.enabled(),
                           failing_after=mail.FAILING_AFTER, kinds=mail.KIND_NAMES,
                           form=EmptyForm())


@bp.route("/emails/<int:message_id>/retry", methods=["POST"])
def retry_email(message_id):
    """Try an unsent message again at once."""
    _management_only()
    if EmptyForm().validate():
        mail.retry_now(current_user, message_id)
        flash("It will be tried again within a few seconds.", "success")
    return redirect(url_for("admin.emails"))
