"""Directory search with anti-trawling rules: minimum criteria, exact keys, a hard cap."""

from __future__ import annotations

import functools
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


def _query(viewer: User, criteria: Criteria, limit: int) -> tuple[sa.Select, dict]:
    """The search's statement and the values to run it with."""
    if criteria.identifier:
        return _by_identifier(viewer, criteria).limit(limit), {}
    family = name_key(criteria.family_name.replace("-", " ")).replace(" ", "")
    values, today = {"family": family}, now().date()
    if criteria.date_of_birth:
        values["born"] = criteria.date_of_birth
    elif criteria.age is not None:
        values["earliest"] = _years_ago(criteria.age + 2, today)
        values["latest"] = _years_ago(max(criteria.age - 1, 0), today)
    given = name_key(criteria.given_names).replace(" ", "")
    if given:
        values.update(given=given, given_after=_after(given), given_prefix=given + "%")
    if criteria.district:
        values["district"] = criteria.district.upper().strip() + " %"
    return _by_name(viewer.is_management, *(name in values for name in (
        "born", "earliest", "given", "district")), limit), values


def _by_identifier(viewer: User, criteria: Criteria) -> sa.Select:
    clauses = []
    for scheme, value in _identifier_values(criteria.identifier):
        clause = sa.and_(Identifier.scheme == scheme, Identifier.value == value)
        if scheme == Scheme.nhs:  # never match on a field the searcher could not see
            clause = sa.and_(clause, disclosure.sql.may_match_nhs_number(viewer))
        clauses.append(clause)
    return (sa.select(Child).where(Child.status == ChildStatus.active)
            .join(Identifier, Identifier.child_id == Child.id).where(sa.or_(*clauses))
            .order_by(Child.family_key, Child.given_key, Child.id))


class _Management:
    """Who the name rules ask about: the statement is built for a kind of viewer, not for
    one (none of these rules names an organisation)."""

    def __init__(self, is_management: bool) -> None:
        self.is_management = is_management


@functools.lru_cache(maxsize=32)
def _by_name(management: bool, born: bool, aged: bool, given: bool, district: bool,
             limit: int) -> sa.Select:
    """A name search's statement for one shape of criteria (and one limit), built once:
    building it and its cache key afresh for every search cost more than running it (even
    a new limit on a built statement is a new statement, with its own cache key: 2.8% of a
    search -> reason -> page cycle's instructions). Every value is a bound parameter
    without a default, so a value left out is an error, never another search's. Built for a
    kind of viewer only: a rule that came to name the viewer's organisation would fail here
    (_Management has no organisation), not match for another's."""
    viewer = _Management(management)
    # An uncorrelated IN over the key table's indexes: both databases drive the search
    # from the few key rows that match, however many children there are.
    keys = sa.select(ChildNameKey.child_id).where(
        ChildNameKey.key == sa.bindparam("family"), disclosure.sql.may_match_other_names(viewer))
    query = sa.select(Child).where(Child.status == ChildStatus.active)
    if born:  # (key, date of birth) is one index seek
        keys = keys.where(ChildNameKey.date_of_birth == sa.bindparam("born"))
        query = query.where(Child.date_of_birth == sa.bindparam("born"))
    elif aged:
        earliest, latest = sa.bindparam("earliest"), sa.bindparam("latest")
        keys = keys.where(ChildNameKey.date_of_birth > earliest,
                          ChildNameKey.date_of_birth <= latest)
        query = query.where(Child.date_of_birth > earliest, Child.date_of_birth <= latest)
    if given:  # (key, given, child_id): a range the index answers under any collation
        # (a LIKE prefix alone is not: PostgreSQL under C.UTF-8 and SQLite's LIKE, which
        # ignores case, read every key of the family name); LIKE then keeps it exact
        keys = keys.where(ChildNameKey.given >= sa.bindparam("given"),
                          ChildNameKey.given < sa.bindparam("given_after"),
                          ChildNameKey.given.like(sa.bindparam("given_prefix")))
    query = query.where(Child.id.in_(keys))
    if district:
        query = query.where(Child.postcode.like(sa.bindparam("district")),
                            disclosure.sql.may_match_whereabouts(viewer))
    return query.order_by(Child.family_key, Child.given_key, Child.id).limit(limit)


@atomic
def search(viewer: User, criteria: Criteria, *, cap: int,
           on_behalf_of_user_id: int | None = None, reason_category: str | None = None,
           note: str | None = None) -> Outcome:
    """Run a search the rules allow and audit it; above the cap, no rows at all."""
    check(criteria)
    statement, values = _query(viewer, criteria, cap + 1)
    found = list(db.session.scalars(statement, values))
    capped = len(found) > cap
    outcome = Outcome(rows=[] if capped else [disclosure.project_row(viewer, c) for c in found],
                      capped=capped)
    audit.record("search", outcome="capped" if capped else "success",
                 on_behalf_of_user_id=on_behalf_of_user_id, reason_category=reason_category,
                 detail={"criteria": criteria.terms(), "for": note,
                         "results": None if capped else len(outcome.rows)})
    return outcome
