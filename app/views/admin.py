"""Administration: users and invitations (setting admins: their own organisation only)."""

from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.extensions import db
from app.forms import InviteForm
from app.forms.organisation import OrganisationForm
from app.models import Organisation, Role, RoleCategory, User
from app.services import accounts, administration, eligibility
from app.views._common import base_url, client_ip

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_only(view):
    """Refuse (403) anyone who is not an administrator."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def _organisations() -> list[Organisation]:
    """Organisations this administrator may act on."""
    if current_user.is_management:
        return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))
    return [current_user.organisation]


@bp.route("/users")
@admin_only
def users():
    """Users of the organisations you administer."""
    query = sa.select(User).order_by(User.name)
    if not current_user.is_management:
        query = query.where(User.organisation_id == current_user.organisation_id)
    return render_template("admin/users.html", users=db.session.scalars(query).all(),
                           is_locked=accounts.is_locked)


@bp.route("/users/invite", methods=["GET", "POST"])
@admin_only
def invite():
    """Invite a person: they get a one-time link to set a password and an authenticator."""
    organisations = _organisations()
    form = InviteForm()
    form.organisation.choices = [(org.id, org.name) for org in organisations]
    if len(organisations) == 1 and not form.is_submitted():
        form.organisation.data = organisations[0].id
    if form.validate_on_submit():
        organisation = next(o for o in organisations if o.id == form.organisation.data)
        try:
            token = accounts.invite(email=form.email.data, name=form.name.data,
                                    role=Role(form.role.data), organisation=organisation,
                                    invited_by=current_user, ip=client_ip(),
                                    role_category=RoleCategory(form.role_category.data),
                                    training_on=form.training.data, dbs_on=form.dbs.data)
        except accounts.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            link = base_url() + url_for("enrol.accept", token=token)
            return render_template("admin/invited.html", link=link, name=form.name.data,
                                   hours=current_app.config["INVITATION_HOURS"])
    status = 422 if form.is_submitted() else 200
    return render_template("admin/invite.html", form=form), status


@bp.route("/eligibility")
@admin_only
def lapsing():
    """Users whose access has lapsed, or whose DBS check lapses within 30 days."""
    from app.views.users import lapsing_scope

    return render_template("admin/lapsing.html",
                           rows=eligibility.lapsed_and_lapsing(lapsing_scope()))


@bp.route("/organisation", methods=["GET", "POST"])
@admin_only
def organisation():
    """Your organisation's postal address and contacts (for the host, its DPO too)."""
    own = current_user.organisation
    form = OrganisationForm(obj=own)
    if form.validate_on_submit():
        names = OrganisationForm.FIELDS if own.is_host else OrganisationForm.FIELDS[:3]
        administration.update_organisation(current_user, own, {
            name: form[name].data for name in names}, ip=client_ip())
        db.session.commit()
        flash("Your organisation's details are saved.", "success")
        return redirect(url_for("admin.organisation"))
    return render_template("admin/organisation.html", form=form, organisation=own), \
        422 if form.errors else 200
