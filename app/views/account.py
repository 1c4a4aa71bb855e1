"""The signed-in user's own account: sessions, password and authenticator app."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user

from app.forms import EmptyForm
from app.forms.account import ChangePasswordForm, ConfirmPasswordForm
from app.forms.auth import CodeForm
from app.services import accounts, crypto, enrolment, mail, sessions, signing_in, totp
from app.views._common import refusal, render_page, wants_fragment

bp = Blueprint("account", __name__, url_prefix="/account")


def _signed_out(message: str):
    """This browser signs out too (the sessions were ended on the server); say why."""
    logout_user()
    session.clear()
    if message:
        flash(message, "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/keep-alive", methods=["GET", "POST"])
def keep_alive():
    """"Stay signed in" in the time-out warning (POST): the session's idle timer starts
    again. GET, sent as polling, only says how long is left (another tab may have been
    busy)."""
    if request.method == "GET":
        return jsonify(seconds_left=sessions.seconds_left(g.user_session))
    return jsonify(seconds_left=sessions.keep_alive(g.user_session))


@bp.route("/")
def overview():
    """Your account: details and what you can change."""
    return render_template("account/overview.html", form=EmptyForm(),
                           recovery_left=totp.recovery_codes_left(current_user.id),
                           email_on=mail.enabled())


@bp.route("/daily-email/<any(on, off):choice>", methods=["POST"])
def daily_email(choice):
    """The management team's daily email of what is due: on or off."""
    if current_user.is_management and EmptyForm().validate():
        accounts.set_daily_digest(current_user, choice == "on")
        flash("Your daily email is " + ("on." if choice == "on" else "off."), "success")
    return redirect(url_for("account.overview"))


@bp.route("/sessions")
def session_list():
    """Where you are signed in, with a way to end each session."""
    return render_page("account/sessions.html", "account/_sessions.html",
                       rows=sessions.active_for(current_user.id), form=EmptyForm(),
                       current_id=g.get("user_session_id"))


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
def end_session(session_id):
    """End one of your other sessions (ending this one signs you out)."""
    if session_id == g.get("user_session_id"):
        sessions.end_all(current_user, "signed out")
        return _signed_out("You have signed out.")
    sessions.end_own(current_user, session_id)
    if wants_fragment():
        return session_list()
    flash("That session has been ended.", "success")
    return redirect(url_for("account.session_list"))


@bp.route("/sessions/end-all", methods=["POST"])
def end_all_sessions():
    """Sign out everywhere, this browser included."""
    sessions.end_all(current_user, "signed out everywhere")
    return _signed_out("You have been signed out everywhere. Sign in again to carry on.")


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    """Change your password; every session ends and you sign in again."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        problems = signing_in.change_password(current_user, form.current.data,
                                              form.password.data)
        if not problems:
            return _signed_out("Your password has been changed. Sign in with your new "
                               "password.")
        for name, errors in problems.items():
            form[name].errors.extend(errors)
    return render_template("account/password.html", form=form), \
        422 if form.is_submitted() else 200


@bp.route("/authenticator", methods=["GET", "POST"])
def reset_authenticator():
    """Set up a new authenticator app: confirm your password first."""
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        with refusal(form.current):
            enrolment.begin_new_authenticator(current_user, form.current.data)
            return redirect(url_for("account.confirm_authenticator"))
    return render_template("account/authenticator.html", form=form), \
        422 if form.is_submitted() else 200


@bp.route("/authenticator/confirm", methods=["GET", "POST"])
def confirm_authenticator():
    """Scan the new key and enter its first code; then sign in again."""
    if not current_user.pending_totp_enc:
        return redirect(url_for("account.reset_authenticator"))
    secret = crypto.decrypt(current_user.pending_totp_enc)
    form = CodeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        codes = enrolment.confirm_new_authenticator(user, form.code.data)
        if codes is not None:
            _signed_out("")
            return render_template("enrol/recovery_codes.html", codes=codes, user=user)
        form.code.errors.append("That code is not right. Enter the 6-digit code your "
                                "authenticator app shows now")
    uri = totp.provisioning_uri(secret, current_user.email)
    return render_template("enrol/authenticator.html", form=form, qr=totp.qr_svg(uri),
                           key=totp.grouped(secret), uri=uri,
                           action=url_for("account.confirm_authenticator")), \
        422 if form.is_submitted() else 200
