"""Who may reach each area of the portal, in one place. A guard answers 403 to anyone
else; the services still check their own rules on every action."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, abort
from flask_login import current_user

from app.models import Child, Role, User
from app.services import disclosure, shielding


def is_management(user: User) -> bool:
    """The host organisation's administrators."""
    return user.is_management


def is_admin(user: User) -> bool:
    """Any administrator (the management team, or a setting's own)."""
    return user.is_admin


def is_child_staff(user: User) -> bool:
    """Data entry, practitioners and the management team work on children's records."""
    return user.role in (Role.data_entry, Role.practitioner) or user.is_management


def is_practitioner(user: User) -> bool:
    """Directory-wide search and brokering: practitioners and the management team."""
    return user.role == Role.practitioner or user.is_management


def is_asker(user: User) -> bool:
    """Who may send a mediated request: requesters, and staff logging one for someone."""
    return user.role == Role.requester or is_practitioner(user)


def manages_record(user: User, _child: Child) -> bool:
    """Record pages for the management team only (merge, see as someone else)."""
    return user.is_management


def may_shield(user: User, _child: Child) -> bool:
    """Who may shield a record."""
    return shielding.may_request(user)


def may_record_circumstances(user: User, child: Child) -> bool:
    """Who may record a death, leaving England or consent to stay on this record."""
    return bool(disclosure.retention_for_edit(user, child))


def only(who: Callable[[User], bool]):
    """A view only `who` may reach."""
    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not who(current_user):
                abort(403)
            return view(*args, **kwargs)
        return guarded
    return decorate


def guard(blueprint: Blueprint, who: Callable[[User], bool]) -> None:
    """Every view of the blueprint only `who` may reach."""
    @blueprint.before_request
    def _guarded():
        if not who(current_user):
            abort(403)


management_only = only(is_management)
admin_only = only(is_admin)
