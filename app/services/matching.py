"""Duplicate detection: the same identifier, or the same date of birth with similar names."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
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


def _name_reasons(child: Child, family: str, given: str) -> list[str]:
    same_order = (_similar(child.family_key, family) >= FAMILY_THRESHOLD
                  and _similar(_first(child.given_key), _first(given)) >= GIVEN_THRESHOLD)
    if same_order:
        exact = child.family_key == family
        return ["same date of birth", "same family name" if exact else "similar family name",
                "similar given name"]
    swapped = (_similar(child.family_key, _first(given)) >= FAMILY_THRESHOLD
               and _similar(_first(child.given_key), family) >= GIVEN_THRESHOLD)
    if swapped:
        return ["same date of birth", "given and family names swapped"]
    return []


def likely_matches(*, given_names: str, family_name: str, date_of_birth: date,
                   identifier_values: dict[Scheme, str], exclude_id: int | None = None,
                   ) -> list[Match]:
    """Active records that may be this child, strongest first."""
    found: dict[int, Match] = {}
    national = {s: v for s, v in identifier_values.items() if v and s != Scheme.local}
    if national:
        clauses = [sa.and_(Identifier.scheme == s, Identifier.value == v)
                   for s, v in national.items()]
        rows = db.session.execute(
            sa.select(Identifier.scheme, Child).join(Child, Child.id == Identifier.child_id)
            .where(sa.or_(*clauses), Child.status == ChildStatus.active)).all()
        for scheme, child in rows:
            match = found.setdefault(child.id, Match(child, []))
            match.reasons.append(f"same {scheme.label}")
    family, given = name_key(family_name), name_key(given_names)
    same_day = db.session.scalars(sa.select(Child).where(
        Child.date_of_birth == date_of_birth, Child.status == ChildStatus.active))
    for child in same_day:
        reasons = _name_reasons(child, family, given)
        if reasons:
            found.setdefault(child.id, Match(child, [])).reasons.extend(reasons)
    found.pop(exclude_id, None)
    return sorted(found.values(), key=lambda m: -len(m.reasons))
