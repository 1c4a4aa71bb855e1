"""What a user whose access has lapsed sees: exactly what is missing, whom to ask, and the
acceptable use policy to sign."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from app.forms.eligibility import PolicyForm
from app.services import eligibility

bp = Blueprint("eligibility", __name__, url_prefix="/access")


@bp.route("")
def status():
    """Your access: what is missing and whom to ask."""
    found = eligibility.lapses(current_user)
    if not found:
        return redirect(url_for("main.index"))
    return render_template("eligibility/status.html", lapses=found,
                           admins=eligibility.whom_to_ask(current_user),
                           policy_only=eligibility.only_policy_missing(found)), 403


@bp.route("/policy", methods=["GET", "POST"])
def policy():
    """Read and sign the acceptable use policy (a new version must be signed again)."""
    form = PolicyForm()
    if form.validate_on_submit():
        eligibility.sign_policy(current_user)
        flash("Thank you: you have signed the acceptable use policy.", "success")
        return redirect(url_for("eligibility.status"))
    return render_template("eligibility/policy.html", form=form,
                           version=eligibility.POLICY_VERSION,
                           signed=current_user.policy_version == eligibility.POLICY_VERSION), \
        422 if form.is_submitted() else 200
