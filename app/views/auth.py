"""Signing in (password, then TOTP or a recovery code) and signing out."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from app.core.clock import format_date, now
from app.extensions import db, limiter
from app.forms import CodeForm, SignInForm
from app.models import User
from app.services import accounts, sessions, totp
from app.views._common import audit_event, client_ip, public, safe_next

bp = Blueprint("auth", __name__)

FAILED = ("The email address, password or code is not right, or the account is locked "
          "after too many attempts. Check what you entered and try again. "
          "A locked account opens again after 15 minutes.")


def _sign_in_limit() -> str:
    return current_app.config["RATELIMIT_SIGN_IN"]


# Per client address, on every POST here (sign-in steps, sign-out). Applied to the whole
# blueprint so it is checked before the CSRF check: a flood is refused early.
limiter.limit(_sign_in_limit, methods=["POST"])(bp)


def _pending_user() -> User | None:
    """The user who passed the password step in this browser, if it was recent enough."""
    pending = session.get("pending")
    if not pending:
        return None
    started = datetime.fromisoformat(pending["at"])
    if now() - started > timedelta(minutes=current_app.config["SIGN_IN_PENDING_MINUTES"]):
        session.pop("pending", None)
        return None
    # Locked for update: parallel wrong codes must each count towards the lockout.
    return db.session.get(User, pending["uid"], with_for_update={"of": User})


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    """Sign-in step one: email address and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("auth/sign_in.html", form=form), 422 if form.is_submitted() else 200
    user = accounts.check_password(form.email.data, form.password.data, client_ip())
    db.session.commit()
    if user is None:
        return render_template("auth/sign_in.html", form=form, failed=FAILED), 401
    if not user.totp_enrolled:  # told only once the password is right
        reset = (f"Your administrator reset your authenticator app on "
                 f"{format_date(user.totp_reset_at)}. Use the set-up link they gave you to "
                 "set it up again, or ask them for a new one.")
        return render_template("auth/sign_in.html", form=form, failed=reset), 403
    destination = session.get("next")
    session.clear()
    session["pending"] = {"uid": user.id, "at": now().isoformat()}
    session["next"] = destination
    return redirect(url_for("auth.sign_in_code"))


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
def sign_in_code():
    """Sign-in step two: a code from the authenticator app, or a recovery code."""
    user = _pending_user()
    if user is None:
        flash("Your sign-in took too long or has not started. Enter your email address and "
              "password again.", "info")
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/code.html", form=form), 422 if form.is_submitted() else 200
    method = accounts.check_second_factor(user, form.code.data, client_ip())
    if method is None:
        db.session.commit()
        return render_template("auth/code.html", form=form, failed=FAILED), 401
    accounts.record_success(user, client_ip(), method)
    token = sessions.start(user.id, client_ip(), request.user_agent.string)
    db.session.commit()
    destination = safe_next(session.get("next"))
    session.clear()  # a fresh session: nothing from before sign-in carries over
    session["sid"] = token
    login_user(user)
    if method == "recovery":
        flash(f"You signed in with a recovery code. You have {totp.recovery_codes_left(user.id)} "
              "left. Set up your authenticator app again if you have lost it.", "info")
    return redirect(destination or url_for("main.index"))


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    """End this session on the server, so a copy of the cookie is useless."""
    record_id = g.get("user_session_id")
    if record_id:
        sessions.revoke(sessions.get(record_id), "signed out")
        audit_event("session.signed_out", subject_type="session", subject_id=record_id)
        db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    target = url_for("auth.sign_in")
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)
