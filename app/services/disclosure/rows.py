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
from app.services.matching import name_key


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


@dataclass(frozen=True)
class ListFilters:
    """How the organisation's own list is narrowed and ordered: a name's start (family or
    given), a year of birth, shielded or not (None: either), and the order."""

    name: str | None = None
    born: int | None = None
    shielded: bool | None = None
    order: str = "name"  # name, youngest, oldest

    @property
    def narrowing(self) -> bool:
        """True when any filter is set."""
        return bool(self.name or self.born or self.shielded is not None)


PER_PAGE = 50  # rows a page of the own list shows

ORDERS = {"name": (Child.family_key, Child.given_key, Child.id),
          "youngest": (Child.date_of_birth.desc(), Child.id),
          "oldest": (Child.date_of_birth, Child.id)}


def own_children(viewer: User, filters: ListFilters = ListFilters(), page: int = 1,
                 per_page: int = PER_PAGE) -> tuple[list[RowView], int]:
    """One page of the children the viewer's organisation works with, for its own list,
    and how many match in all."""
    conditions = [Child.status == ChildStatus.active, sql.involved(viewer.organisation_id)]
    key = name_key(filters.name or "")
    if key:
        conditions.append(sa.or_(Child.family_key.startswith(key, autoescape=True),
                                 Child.given_key.startswith(key, autoescape=True)))
    if filters.born:
        conditions.append(Child.date_of_birth.between(date(filters.born, 1, 1),
                                                      date(filters.born, 12, 31)))
    if filters.shielded is not None:
        conditions.append(Child.shielded.is_(filters.shielded))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Child).where(*conditions))
    query = (sa.select(Child).where(*conditions).order_by(*ORDERS.get(filters.order,
                                                                        ORDERS["name"]))
             .limit(per_page).offset((page - 1) * per_page))
    return [project_row(viewer, child) for child in db.session.scalars(query)], total


def duplicate_candidate(viewer: User, child: Child, reasons: list[str]) -> RowView | None:
    """A likely duplicate as the person entering a child may see it: only a record they
    could open anyway, and never one found only by an NHS number they may not see (search
    refuses that match too); None means "count it, do not show it"."""
    if not may_open(viewer, child):
        return None
    if reasons == [f"same {Scheme.nhs.label}"] and not may_see_nhs_number(viewer, child):
        return None
    return project_row(viewer, child, reasons)
