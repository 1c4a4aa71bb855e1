"""Duplicate detection: the same identifier, or the same date of birth with similar names."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from app.extensions import db
from app.models import Child, ChildStatus, Identifier, Scheme

FAMILY_THRESHOLD = 0.80  # "Mohammed"/"Muhammad" 0.85, "Smith"/"Smyth" 0.89
GIVEN_THRESHOLD = 0.75   # "Catherine"/"Kathryn" 0.76


def name_key(name: str) -> str:
    """Lower case, accents dropped, letters and spaces only: "O'Neill" -> "oneill"."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = "".join(ch if ch.isalpha() or ch.isspace() else "" for ch in letters.casefold())
    return " ".join(words.split())


def _keys_of(name: str) -> set[str]:
    key = name_key(name.replace("-", " "))
    if not key:
        return set()
    return {key.replace(" ", "")} | {part for part in key.split(" ") if len(part) > 1}


def search_keys(family_name: str, other_names: str | None = None) -> set[str]:
    """The keys a child can be found under: the family name whole and each of its parts
    ("Smith-Jones" -> smithjones, smith, jones), and each previous or other name."""
    return current_keys(family_name) | set().union(
        *(_keys_of(name) for name in (other_names or "").split(",")))


def current_keys(family_name: str) -> set[str]:
    """The keys of the current family name alone."""
    return _keys_of(family_name)


def _similar(a: str, b: str) -> float:
    return JaroWinkler.normalized_similarity(a.replace(" ", ""), b.replace(" ", ""))


def _first(given_key: str) -> str:
    return given_key.split(" ")[0] if given_key else ""


@dataclass
class Match:
    """A record that may be the same child, and why we think so."""

    child: Child
    reasons: list[str]

    @property
    def is_certain(self) -> bool:
        """Certain enough to act on without asking a person (an import does): the same
        national identifier, or the very same names and date of birth. Similar names are
        never enough on their own: twins share a family name and a birthday."""
        return is_certain(self.reasons)


def is_certain(reasons: list[str]) -> bool:
    """See Match.is_certain."""
    national = {f"same {s.label}" for s in Scheme if s != Scheme.local}
    return bool(national.intersection(reasons)) or {
        "same date of birth", "same family name", "same given name"} <= set(reasons)


def _name_reasons(child, family: str, given: str) -> list[str]:
    same_order = (_similar(child.family_key, family) >= FAMILY_THRESHOLD
                  and _similar(_first(child.given_key), _first(given)) >= GIVEN_THRESHOLD)
    if same_order:
        exact = child.family_key == family
        return ["same date of birth", "same family name" if exact else "similar family name",
                "same given name" if child.given_key == given else "similar given name"]
    swapped = (_similar(child.family_key, _first(given)) >= FAMILY_THRESHOLD
               and _similar(_first(child.given_key), family) >= GIVEN_THRESHOLD)
    if swapped:
        return ["same date of birth", "given and family names swapped"]
    return []


class Known(NamedTuple):
    """What the rules need of an existing record: its id and name keys. A tuple of plain
    values, which Python's garbage collector stops tracking: an import's index holds
    hundreds of thousands, and as objects each full collection walked them all (pauses of
    up to 200 ms, with SQLite's write lock held)."""

    id: int
    family_key: str
    given_key: str


class _Day:
    """The records born on one day, and their family name keys without spaces (as _similar
    compares them) in the same order, for rapidfuzz to compare a row's names with them all
    in one call."""

    __slots__ = ("families", "known")

    def __init__(self):
        self.known: list[Known] = []
        self.families: list[str] = []

    def add(self, known: Known) -> None:
        self.known.append(known)
        self.families.append(known.family_key.replace(" ", ""))

    def likely(self, family: str, given: str) -> list[Known]:
        """The records whose family name is similar enough to the row's family name or to
        its first given name: no other record can pass _name_reasons (both its orders
        begin there), so only these are put to it. (Jaro-Winkler is symmetric, so the
        order of the two names does not matter; tests/unit/test_matching.py checks that
        the two ways agree.)"""
        hits = set()
        for query in {family.replace(" ", ""), _first(given)}:
            hits.update(i for _, _, i in process.extract(
                query, self.families, scorer=JaroWinkler.normalized_similarity,
                processor=None, score_cutoff=FAMILY_THRESHOLD, limit=None))
        return [self.known[i] for i in sorted(hits)]


def _chunks(values: list, size: int = 900):
    for start in range(0, len(values), size):
        yield values[start:start + size]


class Index:
    """The active records that rows could match, looked up for many rows at once (an
    import checks hundreds at a time, and keeps one index for the whole file: each day's
    records are read once); likely_matches is the one-row case of the same rules."""

    def __init__(self, *, growing: bool = False):
        self.by_day: dict[date, _Day] = {}
        self.by_identifier: dict[tuple[Scheme, str], list[int]] = {}
        self.growing = growing  # refresh() will be asked for records made since
        self.top_id = 0  # records above this id were made after their day was read

    def load(self, days: set[date], identifiers: set[tuple[Scheme, str]]) -> Index:
        """Read the records born on days not read yet, and (afresh) those holding these
        identifiers (closed records too: the caller reads the candidates and drops them)."""
        new_days = sorted(days - self.by_day.keys())
        if new_days and self.growing and not self.by_day:
            self.top_id = db.session.scalar(sa.select(sa.func.max(Child.id))) or 0
        for day in new_days:
            self.by_day[day] = _Day()
        for chunk in _chunks(new_days):
            self._add(sa.and_(Child.date_of_birth.in_(chunk), Child.id <= self.top_id)
                      if self.growing else Child.date_of_birth.in_(chunk))
        wanted = {(s, v) for s, v in identifiers if v and s != Scheme.local}
        self.by_identifier.update({key: [] for key in wanted})
        for scheme in {s for s, _ in wanted}:  # one scheme at a time: its index is used
            for chunk in _chunks(sorted(v for s, v in wanted if s == scheme)):
                for value, child_id in db.session.connection().execute(
                        sa.select(Identifier.value, Identifier.child_id)
                        .where(Identifier.scheme == scheme, Identifier.value.in_(chunk))):
                    self.by_identifier[(scheme, value)].append(child_id)
        return self

    def refresh(self) -> bool:
        """Add the records made since the days were read (a long import meets them); True
        if there were any."""
        top = db.session.scalar(sa.select(sa.func.max(Child.id))) or 0
        if top > self.top_id and self.by_day:
            self._add(sa.and_(Child.id > self.top_id, Child.id <= top))
        grown, self.top_id = top > self.top_id, max(top, self.top_id)
        return grown

    def _add(self, where) -> None:
        # status is checked here, not in SQL: with it there, SQLite (no statistics) walks
        # the status index (every active child) instead of the date of birth index. Run on
        # the session's connection, not the session: its ORM layer made reading the records
        # of a whole roll's birthdays (most of the directory) 2.4 times slower.
        for child_id, family, given, born, status in db.session.connection().execute(
                sa.select(Child.id, Child.family_key, Child.given_key, Child.date_of_birth,
                          Child.status).where(where)):
            if born in self.by_day and status == ChildStatus.active:
                self.by_day[born].add(Known(child_id, family, given))

    def matches(self, *, given_names: str, family_name: str, date_of_birth: date,
                identifier_values: dict[Scheme, str]) -> list[tuple[int, list[str]]]:
        """(record id, reasons) of every record that may be this child, strongest first."""
        found: dict[int, list[str]] = {}
        for scheme in Scheme:  # in the order of the schemes, as reasons are read
            value = identifier_values.get(scheme)
            if value and scheme != Scheme.local:
                for child_id in self.by_identifier.get((scheme, value), []):
                    found.setdefault(child_id, []).append(f"same {scheme.label}")
        family, given = name_key(family_name), name_key(given_names)
        day = self.by_day.get(date_of_birth)
        for known in day.likely(family, given) if day else []:
            reasons = _name_reasons(known, family, given)
            if reasons:
                found.setdefault(known.id, []).extend(reasons)
        return sorted(found.items(), key=lambda item: -len(item[1]))


def likely_matches(*, given_names: str, family_name: str, date_of_birth: date,
                   identifier_values: dict[Scheme, str], exclude_id: int | None = None,
                   ) -> list[Match]:
    """Active records that may be this child, strongest first."""
    index = Index().load({date_of_birth}, set(identifier_values.items()))
    found = [(i, r) for i, r in index.matches(
        given_names=given_names, family_name=family_name, date_of_birth=date_of_birth,
        identifier_values=identifier_values) if i != exclude_id]
    records = {c.id: c for c in db.session.scalars(sa.select(Child).where(
        Child.id.in_([i for i, _ in found]), Child.status == ChildStatus.active))} if found else {}
    return [Match(records[i], reasons) for i, reasons in found if i in records]
