"""Signing in (password, then TOTP or a recovery code) and signing out."""

from __future__ import annotations

from datetime import datetime

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
from app.extensions import limit_posts
from app.forms.auth import CodeForm, SignInForm
from app.services import sessions, signing_in, totp
from app.views._common import public, safe_next, wants_htmx

bp = Blueprint("auth", __name__)

FAILED = ("The email address, password or code is not right, or the account is locked "
          "after too many attempts. Check what you entered and try again. "
          "A locked account opens again after 15 minutes.")


def _sign_in_limit() -> str:
    return current_app.config["RATELIMIT_SIGN_IN"]


# Per client address, on every POST here (sign-in steps, sign-out). Applied to the whole
# blueprint so it is checked before the CSRF check: a flood is refused early.
limit_posts(bp, _sign_in_limit)


def _pending_user():
    """The user who passed the password step in this browser, if it was recent enough."""
    pending = session.get("pending")
    user = pending and signing_in.pending_user(pending["uid"],
                                               datetime.fromisoformat(pending["at"]))
    if not user:
        session.pop("pending", None)
    return user


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    """Sign-in step one: email address and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("auth/sign_in.html", form=form), 422 if form.is_submitted() else 200
    user = signing_in.check_password(form.email.data, form.password.data)
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
    signed = signing_in.second_step(user, form.code.data, request.user_agent.string)
    if signed is None:  # the wrong code leaves the box, which is marked with the message
        form.code.data, form.code.raw_data, form.code.errors = "", [""], [FAILED]
        return render_template("auth/code.html", form=form), 401
    method, token = signed
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
    sessions.sign_out(g.get("user_session_id"))
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    target = url_for("auth.sign_in")
    if wants_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)
