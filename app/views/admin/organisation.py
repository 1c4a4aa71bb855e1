"""The administrator's own organisation: postal address, contacts, and (for the host) its
data protection officer, printed in letters."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.forms.admin import OrganisationForm
from app.services import accounts
from app.views.admin import bp


@bp.route("/organisation", methods=["GET", "POST"])
def organisation():
    """Your organisation's postal address and contacts (for the host, its DPO too)."""
    own = current_user.organisation
    form = OrganisationForm(obj=own)
    if form.validate_on_submit():
        names = OrganisationForm.FIELDS if own.is_host else OrganisationForm.FIELDS[:3]
        accounts.update_organisation(current_user, {name: form[name].data for name in names})
        flash("Your organisation's details are saved.", "success")
        return redirect(url_for("admin.organisation"))
    return render_template("admin/organisation.html", form=form, organisation=own), \
        422 if form.errors else 200
