"""One user's administration: eligibility, role, deactivation, unlock, sessions, reset."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.extensions import db
from app.forms import EmptyForm
from app.forms.eligibility import EligibilityForm, ResetForm, RoleForm
from app.models import Role, RoleCategory, User
from app.services import accounts, administration, eligibility
from app.services.children import NotAllowed, Refused
from app.views._common import base_url, client_ip
from app.views.admin import admin_only

bp = Blueprint("users", __name__, url_prefix="/admin/users/<int:user_id>")


def _target(user_id: int) -> User:
    target = db.session.get(User, user_id)
    if target is None:
        abort(404)
    if not administration.may_manage(current_user, target):
        abort(403)
    return target


def _forms(target: User):
    eligible = EligibilityForm(prefix="e", role_category=target.role_category.value
                               if target.role_category else None,
                               training=target.training_completed_on, dbs=target.dbs_checked_on,
                               nominate="yes" if target.nominated_at else "no")
    role = RoleForm(prefix="r", role=target.role.value)
    return eligible, role


def _page(target: User, eligible=None, role=None, reset=None, status=200):
    default_eligible, default_role = _forms(target)
    return render_template(
        "admin/user.html", target=target, eligible=eligible or default_eligible,
        role_form=role or default_role, reset=reset or ResetForm(prefix="t"), form=EmptyForm(),
        lapses=eligibility.lapses(target), locked=accounts.is_locked(target),
        dbs_lapses=eligibility.dbs_lapses_on(target.dbs_checked_on)
        if target.dbs_checked_on else None), status


def _done(message: str, target: User):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("users.detail", user_id=target.id))


@bp.route("")
@admin_only
def detail(user_id):
    """A user's account, eligibility and the actions an administrator can take."""
    return _page(_target(user_id))


@bp.route("/eligibility", methods=["POST"])
@admin_only
def save_eligibility(user_id):
    """Record role category, training and DBS dates; nominate."""
    target = _target(user_id)
    form = EligibilityForm(prefix="e")
    if not form.validate():
        return _page(target, eligible=form, status=422)
    try:
        administration.update_eligibility(
            current_user, target, role_category=RoleCategory(form.role_category.data),
            training_on=form.training.data, dbs_on=form.dbs.data,
            nominate=form.nominate.data == "yes", ip=client_ip())
    except Refused as error:
        db.session.rollback()
        form.nominate.errors.append(str(error))
        return _page(target, eligible=form, status=422)
    return _done("Eligibility saved.", target)


@bp.route("/role", methods=["POST"])
@admin_only
def change_role(user_id):
    """Change the user's role (never your own)."""
    target = _target(user_id)
    form = RoleForm(prefix="r")
    if form.validate():
        try:
            administration.change_role(current_user, target, Role(form.role.data),
                                       ip=client_ip())
        except Refused as error:
            form.role.errors.append(str(error))
        else:
            return _done("Role changed. They have been signed out everywhere.", target)
    return _page(target, role=form, status=422)


@bp.route("/<any(deactivate, reactivate, unlock, 'sign-out'):action>", methods=["POST"])
@admin_only
def act(user_id, action):
    """Deactivate, reactivate, unlock, or sign the user out everywhere."""
    target = _target(user_id)
    try:
        if action in ("deactivate", "reactivate"):
            administration.set_active(current_user, target, action == "reactivate",
                                      ip=client_ip())
        elif action == "unlock":
            administration.unlock(current_user, target, ip=client_ip())
        else:
            administration.end_sessions(current_user, target, ip=client_ip())
    except Refused as error:
        db.session.rollback()
        flash(str(error), "info")
        return redirect(url_for("users.detail", user_id=target.id))
    return _done({"deactivate": "Account deactivated and signed out everywhere.",
                  "reactivate": "Account reactivated.", "unlock": "Account unlocked.",
                  "sign-out": "Signed out everywhere."}[action], target)


@bp.route("/reset-authenticator", methods=["POST"])
@admin_only
def reset_authenticator(user_id):
    """Reset the user's authenticator app (with a reason); shows their set-up link once."""
    target = _target(user_id)
    form = ResetForm(prefix="t")
    if not form.validate():
        return _page(target, reset=form, status=422)
    try:
        token = administration.reset_authenticator(current_user, target, form.reason.data,
                                                   ip=client_ip())
    except (NotAllowed, Refused) as error:
        db.session.rollback()
        form.reason.errors.append(str(error))
        return _page(target, reset=form, status=422)
    db.session.commit()
    link = base_url() + url_for("enrol.reenrol_link", token=token)
    return render_template("admin/reset_done.html", target=target, link=link)


def lapsing_scope() -> list[User]:
    """Users this administrator looks after."""
    query = sa.select(User).where(User.active.is_(True)).order_by(User.name)
    if not current_user.is_management:
        query = query.where(User.organisation_id == current_user.organisation_id)
    return list(db.session.scalars(query))
