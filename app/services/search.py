"""Directory search with anti-trawling rules: minimum criteria, exact keys, a hard cap."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.core.clock import now
from app.core.dates import anniversary_clamped
from app.core.errors import NeedMore
from app.extensions import db
from app.models import Child, ChildNameKey, ChildStatus, Identifier, Scheme, User
from app.services import audit, disclosure, identifiers
from app.services.matching import name_key
from app.services.transaction import atomic

NEEDS = ("Enter one of these: an NHS number, UPN or ULN; or a family name and date of birth; "
         "or a family name, a given name and an approximate age or a postcode district")


@dataclass
class Criteria:
    """What the searcher typed, cleaned."""

    family_name: str = ""
    given_names: str = ""
    date_of_birth: date | None = None
    age: int | None = None
    district: str = ""
    identifier: str = ""

    def terms(self) -> dict:
        """The criteria for the audit detail (erasable personal data)."""
        return {k: (v.isoformat() if isinstance(v, date) else v)
                for k, v in self.__dict__.items() if v not in ("", None)}


@dataclass
class Outcome:
    """Rows to show, or none because the cap was passed."""

    rows: list = field(default_factory=list)
    capped: bool = False


def _identifier_values(raw: str) -> list[tuple[Scheme, str]]:
    found = []
    for scheme in (Scheme.nhs, Scheme.uln, Scheme.upn):
        try:
            found.append((scheme, identifiers.normalise(scheme, raw)))
        except ValueError:
            continue
    if not found:
        raise NeedMore("This is not a valid NHS number, UPN or ULN: check it and try again")
    return found


def check(criteria: Criteria) -> None:
    """Refuse criteria below the minimum, saying what else is needed."""
    if criteria.identifier:
        _identifier_values(criteria.identifier)
        return
    if not name_key(criteria.family_name):
        raise NeedMore(NEEDS, "identifier")
    if criteria.date_of_birth:
        return
    if name_key(criteria.given_names) and (criteria.age is not None or criteria.district):
        return
    raise NeedMore("Add a date of birth, or a given name with an approximate age or a "
                   "postcode district", "date_of_birth-day")


def _years_ago(years: int, today: date) -> date:
    return anniversary_clamped(today, -years)


def _after(prefix: str) -> str:
    """The first string past every string that starts with prefix (letters only)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _query(viewer: User, criteria: Criteria):
    query = sa.select(Child).where(Child.status == ChildStatus.active)
    if criteria.identifier:
        clauses = []
        for scheme, value in _identifier_values(criteria.identifier):
            clause = sa.and_(Identifier.scheme == scheme, Identifier.value == value)
            if scheme == Scheme.nhs:  # never match on a field the searcher could not see
                clause = sa.and_(clause, disclosure.sql.may_match_nhs_number(viewer))
            clauses.append(clause)
        return query.join(Identifier, Identifier.child_id == Child.id).where(sa.or_(*clauses))
    family = name_key(criteria.family_name.replace("-", " ")).replace(" ", "")
    # An uncorrelated IN over the key table's indexes: both databases drive the search
    # from the few key rows that match, however many children there are.
    keys = sa.select(ChildNameKey.child_id).where(ChildNameKey.key == family)
    keys = keys.where(disclosure.sql.may_match_other_names(viewer))
    today = now().date()
    if criteria.date_of_birth:  # (key, date of birth) is one index seek
        keys = keys.where(ChildNameKey.date_of_birth == criteria.date_of_birth)
        query = query.where(Child.date_of_birth == criteria.date_of_birth)
    elif criteria.age is not None:
        earliest = _years_ago(criteria.age + 2, today)
        latest = _years_ago(max(criteria.age - 1, 0), today)
        keys = keys.where(ChildNameKey.date_of_birth > earliest,
                          ChildNameKey.date_of_birth <= latest)
        query = query.where(Child.date_of_birth > earliest, Child.date_of_birth <= latest)
    given = name_key(criteria.given_names).replace(" ", "")
    if given:  # (key, given, child_id): a range the index answers under any collation
        # (a LIKE prefix alone is not: PostgreSQL under C.UTF-8 and SQLite's LIKE, which
        # ignores case, read every key of the family name); LIKE then keeps it exact
        keys = keys.where(ChildNameKey.given >= given, ChildNameKey.given < _after(given),
                          ChildNameKey.given.like(given + "%"))
    query = query.where(Child.id.in_(keys))
    if criteria.district:
        query = query.where(Child.postcode.like(criteria.district.upper().strip() + " %"),
                            disclosure.sql.may_match_whereabouts(viewer))
    return query


@atomic
def search(viewer: User, criteria: Criteria, *, cap: int,
           on_behalf_of_user_id: int | None = None, reason_category: str | None = None,
           note: str | None = None) -> Outcome:
    """Run a search the rules allow and audit it; above the cap, no rows at all."""
    check(criteria)
    found = list(db.session.scalars(
        _query(viewer, criteria).order_by(Child.family_key, Child.given_key, Child.id)
        .limit(cap + 1)))
    capped = len(found) > cap
    outcome = Outcome(rows=[] if capped else [disclosure.project_row(viewer, c) for c in found],
                      capped=capped)
    audit.record("search", outcome="capped" if capped else "success",
                 on_behalf_of_user_id=on_behalf_of_user_id, reason_category=reason_category,
                 detail={"criteria": criteria.terms(), "for": note,
                         "results": None if capped else len(outcome.rows)})
    return outcome
