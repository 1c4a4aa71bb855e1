"""First-run setup and enrolment from an invitation: password, then the authenticator app;
and setting up a new authenticator app after an administrator's reset."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, session, url_for

from app.extensions import limit_posts
from app.forms.auth import CodeForm
from app.forms.enrol import NewPasswordForm, ReenrolForm, SetupForm
from app.models import OrganisationKind, RoleCategory
from app.services import crypto, enrolment, totp
from app.views._common import public

bp = Blueprint("enrol", __name__)
# The same per-address limit as signing in: these public forms take passwords and codes.
limit_posts(bp, lambda: current_app.config["RATELIMIT_SIGN_IN"])

EXPIRED = ("This link has expired or has already been used. Ask your administrator for a "
           "new invitation.")


def _invitation():
    invitation_id = session.get("invitation_id")
    invitation = enrolment.live_invitation(invitation_id=invitation_id) if invitation_id \
        else None
    if invitation is None:
        abort(404, description=EXPIRED)
    return invitation


def _authenticator_page(template, form, secret, email, status, **context):
    uri = totp.provisioning_uri(secret, email)
    return render_template(template, form=form, qr=totp.qr_svg(uri), key=totp.grouped(secret),
                           uri=uri, **context), status


@bp.route("/setup/<token>")
@public
def setup_link(token):
    """Open the one-time first-run link; the token leaves the address bar at once."""
    if enrolment.live_setup_token(token) is None:
        abort(404, description="This setup link has expired, has been used, or TeamAround is "
                               "already set up. Run 'make run' again for a new link.")
    session.clear()
    session["setup_token"] = token
    return redirect(url_for("enrol.setup"))


@bp.route("/setup", methods=["GET", "POST"])
@public
def setup():
    """First run: name the host organisation and its first administrator."""
    setup_token = enrolment.live_setup_token(session.get("setup_token") or "")
    if setup_token is None:
        abort(404, description="This setup link has expired or has been used.")
    form = SetupForm()
    if not form.validate_on_submit():
        return render_template("enrol/setup.html", form=form), 422 if form.is_submitted() else 200
    invitation = enrolment.complete_setup(
        setup_token, organisation_name=form.organisation_name.data,
        kind=OrganisationKind(form.kind.data), admin_name=form.name.data,
        admin_email=form.email.data, role_category=RoleCategory(form.role_category.data),
        training_on=form.training.data, dbs_on=form.dbs.data)
    session.clear()
    session["invitation_id"] = invitation.id
    return redirect(url_for("enrol.password"))


@bp.route("/invitation/<token>")
@public
def accept(token):
    """Open an invitation link; the token leaves the address bar at once."""
    invitation = enrolment.live_invitation(token=token)
    if invitation is None:
        abort(404, description=EXPIRED)
    session.clear()
    session["invitation_id"] = invitation.id
    return redirect(url_for("enrol.password"))


@bp.route("/enrol/password", methods=["GET", "POST"])
@public
def password():
    """Enrolment step one: choose a password."""
    invitation = _invitation()
    form = NewPasswordForm()
    if form.validate_on_submit():
        problems = enrolment.choose_password(invitation, form.password.data)
        if not problems:
            return redirect(url_for("enrol.authenticator"))
        form.password.errors.extend(problems)
    return render_template("enrol/password.html", form=form, invitation=invitation), \
        422 if form.is_submitted() else 200


@bp.route("/enrol/authenticator", methods=["GET", "POST"])
@public
def authenticator():
    """Enrolment step two: scan the QR code (or type the key) and enter the first code."""
    invitation = _invitation()
    if not invitation.pending_totp_enc:
        return redirect(url_for("enrol.password"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            result = enrolment.complete_enrolment(invitation, form.code.data)
        except enrolment.AccountError as error:
            abort(409, description=f"{error}. Sign in with it instead.")
        if result is not None:
            session.clear()
            return render_template("enrol/recovery_codes.html", codes=result[1], user=result[0])
        form.code.errors.append("That code is not right. Enter the 6-digit code your "
                                "authenticator app shows now")
    return _authenticator_page("enrol/authenticator.html", form,
                               crypto.decrypt(invitation.pending_totp_enc), invitation.email,
                               422 if form.is_submitted() else 200,
                               action=url_for("enrol.authenticator"))


@bp.route("/reenrol/<token>")
@public
def reenrol_link(token):
    """Open an authenticator-reset link; the token leaves the address bar at once."""
    if enrolment.live_reenrolment(token) is None:
        abort(404, description=EXPIRED)
    session.clear()
    session["reenrol_token"] = token
    return redirect(url_for("enrol.reenrol"))


@bp.route("/reenrol", methods=["GET", "POST"])
@public
def reenrol():
    """Set up a new authenticator app after an administrator reset: password, then code."""
    user = enrolment.live_reenrolment(session.get("reenrol_token") or "")
    if user is None:
        abort(404, description=EXPIRED)
    secret = enrolment.pending_secret(user)
    form = ReenrolForm()
    if form.validate_on_submit():
        codes = enrolment.complete_reenrolment(user, form.password.data, form.code.data)
        if codes is not None:
            session.clear()
            return render_template("enrol/recovery_codes.html", codes=codes, user=user)
        form.code.errors.append("Your password or the code is not right. Check both and "
                                "try again")
    return _authenticator_page("enrol/reenrol.html", form, secret, user.email,
                               422 if form.is_submitted() else 200)
