"""Users: the list, invitations, who has lapsed, and one user's eligibility, role and
account (deactivate, unlock, sign out everywhere, reset the authenticator app)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.forms import EmptyForm
from app.forms.admin import EligibilityForm, InviteForm, ResetForm, RoleForm
from app.models import Role, RoleCategory
from app.services import accounts, administration, eligibility, enrolment, mail
from app.views._common import base_url, refusal
from app.views.admin import bp

ACTIONS = {"deactivate": "Account deactivated and signed out everywhere.",
           "reactivate": "Account reactivated.", "unlock": "Account unlocked.",
           "sign-out": "Signed out everywhere."}


@bp.route("/users")
def users():
    """Users of the organisations you administer."""
    return render_template("admin/users.html", users=administration.scope(current_user),
                           is_locked=accounts.is_locked)


@bp.route("/users/invite", methods=["GET", "POST"])
def invite():
    """Invite a person: they get a one-time link to set a password and an authenticator."""
    form = InviteForm()
    form.offer(accounts.organisation_choices(current_user))
    if form.validate_on_submit():
        with refusal(form.email):
            token = enrolment.invite(
                email=form.email.data, name=form.name.data, role=Role(form.role.data),
                organisation=accounts.organisation_for(current_user, form.organisation.data),
                invited_by=current_user,
                role_category=RoleCategory(form.role_category.data),
                training_on=form.training.data, dbs_on=form.dbs.data)
            return render_template("admin/invited.html", name=form.name.data,
                                   email=form.email.data, emailed=mail.enabled(),
                                   link=base_url() + url_for("enrol.accept", token=token),
                                   hours=current_app.config["INVITATION_HOURS"])
    return render_template("admin/invite.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/eligibility")
def lapsing():
    """Users whose access has lapsed, or whose DBS check lapses within 30 days."""
    return render_template("admin/lapsing.html", rows=eligibility.lapsed_and_lapsing(
        administration.scope(current_user, active_only=True)))


def _page(user_id: int, eligible=None, role=None, reset=None, status=200):
    target = administration.find(current_user, user_id)
    return render_template(
        "admin/user.html", target=target, form=EmptyForm(),
        eligible=eligible or EligibilityForm.of(target), role_form=role or RoleForm.of(target),
        reset=reset or ResetForm(prefix="t"), lapses=eligibility.lapses(target),
        locked=accounts.is_locked(target), dbs_lapses=eligibility.dbs_lapses_on(
            target.dbs_checked_on) if target.dbs_checked_on else None), status


def _done(message: str, user_id: int):
    flash(message, "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>")
def user(user_id):
    """A user's account, eligibility and the actions an administrator can take."""
    return _page(user_id)


@bp.route("/users/<int:user_id>/eligibility", methods=["POST"])
def save_eligibility(user_id):
    """Record role category, training and DBS dates; nominate."""
    form = EligibilityForm(prefix="e")
    if form.validate():
        with refusal(form.nominate):
            administration.update_eligibility(
                current_user, administration.find(current_user, user_id),
                role_category=RoleCategory(form.role_category.data),
                training_on=form.training.data, dbs_on=form.dbs.data,
                nominate=form.nominate.data == "yes")
            return _done("Eligibility saved.", user_id)
    return _page(user_id, eligible=form, status=422)


@bp.route("/users/<int:user_id>/role", methods=["POST"])
def change_role(user_id):
    """Change the user's role (never your own)."""
    form = RoleForm(prefix="r")
    if form.validate():
        with refusal(form.role):
            administration.change_role(current_user, administration.find(current_user,
                                                                         user_id),
                                       Role(form.role.data))
            return _done("Role changed. They have been signed out everywhere.", user_id)
    return _page(user_id, role=form, status=422)


@bp.route("/users/<int:user_id>/<any(deactivate, reactivate, unlock, 'sign-out'):action>",
          methods=["GET", "POST"])
def act(user_id, action):
    """Deactivate (after saying yes on a page of its own), reactivate, unlock, or sign the
    user out everywhere."""
    if request.method == "GET" and action != "deactivate":
        abort(405)
    if action == "deactivate" and request.form.get("confirm") != "yes":
        target = administration.find(current_user, user_id)
        return render_template("admin/deactivate.html", target=target)
    with refusal():
        administration.act(current_user, administration.find(current_user, user_id), action)
        return _done(ACTIONS[action], user_id)
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>/reset-authenticator", methods=["POST"])
def reset_authenticator(user_id):
    """Reset the user's authenticator app (with a reason); shows their set-up link once."""
    form = ResetForm(prefix="t")
    if form.validate():
        with refusal(form.reason):
            target = administration.find(current_user, user_id)
            token = administration.reset_authenticator(current_user, target, form.reason.data)
            return render_template("admin/reset_done.html", target=target,
                                   emailed=mail.enabled(), link=base_url()
                                   + url_for("enrol.reenrol_link", token=token))
    return _page(user_id, reset=form, status=422)
