"""First-run setup and enrolment from an invitation: password, then the authenticator app."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, session, url_for

from app.extensions import db, limiter
from app.forms import CodeForm, NewPasswordForm, ReenrolForm, SetupForm
from app.models import OrganisationKind, RoleCategory
from app.services import accounts, crypto, passwords, totp
from app.views._common import client_ip, public

bp = Blueprint("enrol", __name__)
# The same per-address limit as signing in: these public forms take passwords and codes.
limiter.limit(lambda: current_app.config["RATELIMIT_SIGN_IN"], methods=["POST"])(bp)

EXPIRED = ("This link has expired or has already been used. Ask your administrator for a "
           "new invitation.")


def _invitation():
    invitation_id = session.get("invitation_id")
    invitation = accounts.live_invitation(invitation_id=invitation_id) if invitation_id else None
    if invitation is None:
        abort(404, description=EXPIRED)
    return invitation


@bp.route("/setup/<token>")
@public
def setup_link(token):
    """Open the one-time first-run link; the token leaves the address bar at once."""
    if accounts.live_setup_token(token) is None:
        abort(404, description="This setup link has expired, has been used, or TeamAround is "
                               "already set up. Run 'make run' again for a new link.")
    session.clear()
    session["setup_token"] = token
    return redirect(url_for("enrol.setup"))


@bp.route("/setup", methods=["GET", "POST"])
@public
def setup():
    """First run: name the host organisation and its first administrator."""
    setup_token = accounts.live_setup_token(session.get("setup_token") or "")
    if setup_token is None:
        abort(404, description="This setup link has expired or has been used.")
    form = SetupForm()
    if not form.validate_on_submit():
        return render_template("enrol/setup.html", form=form), 422 if form.is_submitted() else 200
    invitation = accounts.complete_setup(
        setup_token, organisation_name=form.organisation_name.data,
        kind=OrganisationKind(form.kind.data), admin_name=form.name.data,
        admin_email=form.email.data, ip=client_ip(),
        role_category=RoleCategory(form.role_category.data), training_on=form.training.data,
        dbs_on=form.dbs.data)
    db.session.commit()
    session.clear()
    session["invitation_id"] = invitation.id
    return redirect(url_for("enrol.password"))


@bp.route("/invitation/<token>")
@public
def accept(token):
    """Open an invitation link; the token leaves the address bar at once."""
    invitation = accounts.live_invitation(token=token)
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
        problems = passwords.policy_problems(
            form.password.data, organisation_name=invitation.organisation.name,
            email=invitation.email)
        if not problems:
            accounts.choose_password(invitation, form.password.data)
            db.session.commit()
            return redirect(url_for("enrol.authenticator"))
        form.password.errors.extend(problems)
    status = 422 if form.is_submitted() else 200
    return render_template("enrol/password.html", form=form, invitation=invitation), status


@bp.route("/enrol/authenticator", methods=["GET", "POST"])
@public
def authenticator():
    """Enrolment step two: scan the QR code (or type the key) and enter the first code."""
    invitation = _invitation()
    if not invitation.pending_totp_enc:
        return redirect(url_for("enrol.password"))
    secret = crypto.decrypt(invitation.pending_totp_enc)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            result = accounts.complete_enrolment(invitation, form.code.data, client_ip())
        except accounts.AccountError as error:
            db.session.rollback()
            abort(409, description=f"{error}. Sign in with it instead.")
        if result is not None:
            user, codes = result
            db.session.commit()
            session.clear()
            return render_template("enrol/recovery_codes.html", codes=codes, user=user)
        form.code.errors.append("That code is not right. Enter the 6-digit code your "
                                "authenticator app shows now")
    uri = totp.provisioning_uri(secret, invitation.email)
    status = 422 if form.is_submitted() else 200
    return render_template("enrol/authenticator.html", form=form, qr=totp.qr_svg(uri),
                           key=totp.grouped(secret), uri=uri,
                           action=url_for("enrol.authenticator")), status


@bp.route("/reenrol/<token>")
@public
def reenrol_link(token):
    """Open an authenticator-reset link; the token leaves the address bar at once."""
    user = accounts.live_reenrolment(token)
    if user is None:
        abort(404, description=EXPIRED)
    session.clear()
    session["reenrol_token"] = token
    return redirect(url_for("enrol.reenrol"))


@bp.route("/reenrol", methods=["GET", "POST"])
@public
def reenrol():
    """Set up a new authenticator app after an administrator reset: password, then code."""
    user = accounts.live_reenrolment(session.get("reenrol_token") or "")
    if user is None:
        abort(404, description=EXPIRED)
    if not user.pending_totp_enc:
        user.pending_totp_enc = crypto.encrypt(totp.new_secret())
        db.session.commit()
    form = ReenrolForm()
    if form.validate_on_submit():
        codes = accounts.complete_reenrolment(user, form.password.data, form.code.data,
                                              client_ip())
        db.session.commit()
        if codes is not None:
            session.clear()
            return render_template("enrol/recovery_codes.html", codes=codes, user=user)
        form.code.errors.append("Your password or the code is not right. Check both and "
                                "try again")
    secret = crypto.decrypt(user.pending_totp_enc)
    uri = totp.provisioning_uri(secret, user.email)
    return render_template("enrol/reenrol.html", form=form, qr=totp.qr_svg(uri),
                           key=totp.grouped(secret)), 422 if form.is_submitted() else 200
