"""The policy's rules as SQL, for queries that filter in the database (search, lists): each
the twin of a rule in rules.py, written once here and used by every query."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.clock import now
from app.models import Child, ChildNameKey, Involvement
from app.services.disclosure.rules import Looker


def involved(organisation_id: int | None):
    """Children the organisation works with now (rules.involved_organisation_ids): a current
    involvement, or the record it created while no involvement at all is recorded."""
    return sa.or_(
        sa.and_(Child.created_by_organisation_id == organisation_id,
                ~sa.exists().where(Involvement.child_id == Child.id)),
        Child.id.in_(sa.select(Involvement.child_id).where(
            Involvement.organisation_id == organisation_id,
            sa.or_(Involvement.end_date.is_(None), Involvement.end_date > now().date()))))


def may_match_nhs_number(viewer: Looker):
    """An NHS number matches only where the viewer may see it (rules.may_see_nhs_number)."""
    return sa.true() if viewer.is_management else involved(viewer.organisation_id)


def may_match_other_names(viewer: Looker):
    """A shield withholds previous names from most searchers (rules.hides_whereabouts)."""
    return sa.true() if viewer.is_management else ChildNameKey.hidden.is_(False)


def may_match_whereabouts(viewer: Looker):
    """Never match on an address (a postcode) a shield withholds (rules.hides_whereabouts)."""
    return sa.true() if viewer.is_management else Child.shielded.is_(False)
