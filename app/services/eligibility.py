"""Who may use TeamAround: nominated, in an eligible role, trained, policy signed, an enhanced
DBS check under three years old, and an authenticator app enrolled. Any lapse blocks access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from app.core.clock import now
from app.core.dates import anniversary_clamped
from app.extensions import db
from app.models import Role, User
from app.services import audit
from app.services.transaction import atomic

POLICY_VERSION = "2026-11"
DBS_YEARS = 3
DBS_WARNING_DAYS = 30


@dataclass
class Lapse:
    """One condition a user does not meet, and what to do about it."""

    code: str
    message: str


def dbs_lapses_on(checked: date) -> date:
    """The day a DBS check becomes three years old (29 February: 28 February)."""
    return anniversary_clamped(checked, DBS_YEARS)


def lapses(user: User, today: date | None = None) -> list[Lapse]:
    """Every condition the user does not meet today; empty means eligible."""
    today = today or now().date()
    found = []
    if user.nominated_at is None:
        found.append(Lapse("nomination", "Your organisation has not nominated you for access"))
    if user.role_category is None:
        found.append(Lapse("role", "Your job role has not been recorded as an eligible role"))
    if user.training_completed_on is None:
        found.append(Lapse("training", "Your TeamAround training has not been recorded"))
    if user.dbs_checked_on is None:
        found.append(Lapse("dbs", "Your enhanced DBS check has not been recorded"))
    elif today >= dbs_lapses_on(user.dbs_checked_on):
        found.append(Lapse("dbs", "Your enhanced DBS check is three years old or more: "
                                  "a new check must be recorded"))
    if not user.totp_enrolled:
        found.append(Lapse("totp", "Your authenticator app has not been set up"))
    if user.policy_version != POLICY_VERSION:
        found.append(Lapse("policy", "You need to read and sign the acceptable use policy"
                           + (" (it has changed since you signed it)" if user.policy_version
                              else "")))
    return found


def only_policy_missing(found: list[Lapse]) -> bool:
    """The user can put this right alone: sign the policy."""
    return [lapse.code for lapse in found] == ["policy"]


def dbs_warning(user: User, today: date | None = None) -> date | None:
    """The lapse date when a DBS check lapses within 30 days (and has not yet)."""
    today = today or now().date()
    if user.dbs_checked_on is None:
        return None
    lapse_day = dbs_lapses_on(user.dbs_checked_on)
    return lapse_day if today < lapse_day <= today + timedelta(days=DBS_WARNING_DAYS) else None


@atomic
def sign_policy(user: User) -> None:
    """Record that the user read and agreed to the current policy."""
    user.policy_version, user.policy_signed_at = POLICY_VERSION, now()
    audit.record("policy.signed", detail={"version": POLICY_VERSION})


def whom_to_ask(user: User) -> list[User]:
    """The administrators who can put a lapse right: the user's own organisation's, else
    the management team."""
    admins = list(db.session.scalars(sa.select(User).where(
        User.organisation_id == user.organisation_id, User.role == Role.admin,
        User.active.is_(True), User.id != user.id).order_by(User.name)))
    if admins:
        return admins
    from app.models import Organisation
    return list(db.session.scalars(sa.select(User).join(Organisation, Organisation.id ==
                                                        User.organisation_id)
                                   .where(Organisation.is_host.is_(True), User.role == Role.admin,
                                          User.active.is_(True), User.id != user.id)
                                   .order_by(User.name)))


@dataclass
class Standing:
    """A user on the administrators' lapsed-and-lapsing page."""

    user: User
    problems: list[Lapse]
    dbs_lapses: date | None


def lapsed_and_lapsing(users: list[User]) -> list[Standing]:
    """Users with a lapse now, or a DBS check lapsing within 30 days."""
    today = now().date()
    rows = []
    for user in users:
        found = [lapse for lapse in lapses(user, today) if lapse.code != "policy"]
        warning = dbs_warning(user, today)
        if found or warning:
            rows.append(Standing(user, found, warning))
    return rows
