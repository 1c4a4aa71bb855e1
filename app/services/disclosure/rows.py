"""Rows: a child in a list (the own list, search results, likely duplicates, request
pages), with enough to recognise them and no more."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Child, ChildStatus, Scheme, User
from app.services.disclosure import sql
from app.services.disclosure.rules import hides_whereabouts, may_open, may_see_nhs_number


@dataclass
class RowView:
    """A child in a list (own list, likely duplicates): enough to recognise, no more."""

    id: int
    name: str
    date_of_birth: date
    gender: str
    town: str | None
    reasons: list[str] = field(default_factory=list)
    town_withheld: bool = False
    shielded: bool = False


def project_row(viewer: User, child: Child, reasons: list[str] | None = None) -> RowView:
    """Name, date of birth, gender and town only; never the full address, and no town
    while a shield withholds it."""
    withheld = hides_whereabouts(viewer, child)
    return RowView(id=child.id, name=child.full_name, date_of_birth=child.date_of_birth,
                   gender=child.gender.label, town=None if withheld else child.town,
                   reasons=list(reasons or []), town_withheld=withheld,
                   shielded=bool(child.shielded))


def own_children(viewer: User, limit: int = 500) -> list[RowView]:
    """Children the viewer's organisation works with, for its own list."""
    query = (sa.select(Child)
             .where(Child.status == ChildStatus.active, sql.involved(viewer.organisation_id))
             .order_by(Child.family_key, Child.given_key).limit(limit))
    return [project_row(viewer, child) for child in db.session.scalars(query)]


def duplicate_candidate(viewer: User, child: Child, reasons: list[str]) -> RowView | None:
    """A likely duplicate as the person entering a child may see it: only a record they
    could open anyway, and never one found only by an NHS number they may not see (search
    refuses that match too); None means "count it, do not show it"."""
    if not may_open(viewer, child):
        return None
    if reasons == [f"same {Scheme.nhs.label}"] and not may_see_nhs_number(viewer, child):
        return None
    return project_row(viewer, child, reasons)
