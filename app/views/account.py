"""The signed-in user's own account: sessions, password and authenticator app."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, session, url_for
from flask_login import current_user, logout_user

from app.core.clock import now
from app.extensions import db
from app.forms import ChangePasswordForm, CodeForm, ConfirmPasswordForm, EmptyForm
from app.services import accounts, crypto, passwords, sessions, totp
from app.views._common import audit_event, client_ip, render_page, wants_fragment

bp = Blueprint("account", __name__, url_prefix="/account")


def _end_all_sessions(reason: str, message: str):
    """Revoke every session of the current user, sign out here, and say why."""
    sessions.revoke_all(current_user.id, reason)
    audit_event("session.revoked_all", detail={"why": reason})
    db.session.commit()
    logout_user()
    session.clear()
    flash(message, "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/")
def overview():
    """Your account: details and what you can change."""
    left = totp.recovery_codes_left(current_user.id)
    return render_template("account/overview.html", recovery_left=left)


@bp.route("/sessions")
def session_list():
    """Where you are signed in, with a way to end each session."""
    return render_page("account/sessions.html", "account/_sessions.html",
                       rows=sessions.active_for(current_user.id), form=EmptyForm(),
                       current_id=g.get("user_session_id"))


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
def end_session(session_id):
    """End one of your other sessions."""
    record = sessions.get(session_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    if record.id == g.get("user_session_id"):
        return _end_all_sessions("signed out", "You have signed out.")
    sessions.revoke(record, "ended by user")
    audit_event("session.revoked", subject_type="session", subject_id=record.id)
    db.session.commit()
    if wants_fragment():
        return session_list()
    flash("That session has been ended.", "success")
    return redirect(url_for("account.session_list"))


@bp.route("/sessions/end-all", methods=["POST"])
def end_all_sessions():
    """Sign out everywhere, this browser included."""
    return _end_all_sessions("signed out everywhere",
                             "You have been signed out everywhere. Sign in again to carry on.")


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    """Change your password; every session ends and you sign in again."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        ok, _ = passwords.verify_password(current_user.password_hash, form.current.data)
        if not ok:
            accounts.record_failure(current_user, stage="current password", ip=client_ip())
            db.session.commit()
            form.current.errors.append("Your current password is not right")
        else:
            problems = passwords.policy_problems(
                form.password.data, organisation_name=current_user.organisation.name,
                email=current_user.email)
            form.password.errors.extend(problems)
        if not form.errors:
            current_user.password_hash = passwords.hash_password(form.password.data)
            current_user.password_changed_at = now()
            audit_event("password.changed", subject_type="user", subject_id=current_user.id)
            return _end_all_sessions("password changed", "Your password has been changed. "
                                     "Sign in with your new password.")
    status = 422 if form.is_submitted() else 200
    return render_template("account/password.html", form=form), status


@bp.route("/authenticator", methods=["GET", "POST"])
def reset_authenticator():
    """Set up a new authenticator app: confirm your password first."""
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        ok, _ = passwords.verify_password(current_user.password_hash, form.current.data)
        if ok:
            current_user.pending_totp_enc = crypto.encrypt(totp.new_secret())
            db.session.commit()
            return redirect(url_for("account.confirm_authenticator"))
        accounts.record_failure(current_user, stage="current password", ip=client_ip())
        db.session.commit()
        form.current.errors.append("Your current password is not right")
    status = 422 if form.is_submitted() else 200
    return render_template("account/authenticator.html", form=form), status


@bp.route("/authenticator/confirm", methods=["GET", "POST"])
def confirm_authenticator():
    """Scan the new key and enter its first code; then sign in again."""
    if not current_user.pending_totp_enc:
        return redirect(url_for("account.reset_authenticator"))
    secret = crypto.decrypt(current_user.pending_totp_enc)
    form = CodeForm()
    if form.validate_on_submit():
        step = totp.matching_step(secret, form.code.data)
        if step is not None:
            current_user.totp_secret_enc, current_user.pending_totp_enc = (
                current_user.pending_totp_enc, None)
            current_user.totp_last_step = step
            codes = totp.issue_recovery_codes(current_user.id)
            audit_event("totp.reenrolled", subject_type="user", subject_id=current_user.id)
            user = current_user._get_current_object()
            _end_all_sessions("authenticator changed", "")
            session.pop("_flashes", None)
            return render_template("enrol/recovery_codes.html", codes=codes, user=user)
        form.code.errors.append("That code is not right. Enter the 6-digit code your "
                                "authenticator app shows now")
    uri = totp.provisioning_uri(secret, current_user.email)
    status = 422 if form.is_submitted() else 200
    return render_template("enrol/authenticator.html", form=form, qr=totp.qr_svg(uri),
                           key=totp.grouped(secret), uri=uri,
                           action=url_for("account.confirm_authenticator")), status
