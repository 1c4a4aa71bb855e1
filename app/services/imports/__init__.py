"""Importing a school's roll from its MIS: read the file (files.py, ctf.py), check each row
with the rules of manual entry (rows.py), match it against the directory with the
duplicate rules of manual entry, then, once a person confirms, create or update each child
in its own transaction with its audit events. Re-importing a file changes nothing.

A match to a record the importer may not open is never shown: the row is held for the
management team (disclosure.may_open decides, as everywhere)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from app.core.errors import NotAllowed, Refused
from app.extensions import db
from app.models import Child, ChildStatus, Role, RowOutcome, Scheme, User
from app.services import disclosure, matching
from app.services.imports import files, rows
from app.services.imports.ctf import ctf_rows

__all__ = ["Checker", "Preview", "Refused", "candidates", "checked_in_order", "days",
           "decide", "find",
           "kind_of", "known_only", "match_all", "may_import", "preview", "read", "records",
           "shown_candidates"]


@dataclass
class RowResult:
    """One row's outcome; data is None for rows with errors."""

    number: int
    outcome: RowOutcome
    data: dict | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    child_id: int | None = None


@dataclass
class Preview:
    """What an import would do, row by row."""

    kind: str
    rows: list[RowResult]

    def counts(self) -> Counter:
        """How many rows of each outcome."""
        return Counter(r.outcome for r in self.rows)


def kind_of(content: bytes) -> str:
    """"csv" or "ctf", or Refused when the file is too big or plainly not an export (the
    cheap checks an upload gets at once)."""
    limit = current_app.config["IMPORT_MAX_BYTES"]
    if len(content) > limit:
        raise Refused(f"The file is larger than {limit // (1024 * 1024)} MB: export fewer "
                      "pupils at a time")
    return files.kind_of(content)


def read(content: bytes) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    """The file's kind and rows, or Refused with one plain sentence."""
    kind = kind_of(content)
    found = list(ctf_rows(content) if kind == "ctf" else files.csv_rows(content))
    if not found:
        raise Refused("The file holds no pupils")
    return kind, found


def may_import(user: User) -> bool:
    """Data entry, practitioners and the management team import into their setting."""
    return user.role in (Role.data_entry, Role.practitioner) or user.is_management


def shown_candidates(user: User, data: dict) -> tuple[list[disclosure.RowView], list[int]]:
    """The records a held row may be, as the person deciding may see them (the duplicate
    candidate projection of manual entry, made now), and the ids of the others."""
    matches, known = match_all(matching.Index(), {0: data})
    found = matches[0]
    shown = [disclosure.duplicate_candidate(user, known[i], reasons) for i, reasons in found]
    return [r for r in shown if r], [i for (i, _), r in zip(found, shown, strict=True) if not r]


def _school_service(user: User) -> dict:
    """The importing setting as the child's education setting (involvements.build fills
    the rest in as empty)."""
    return {"service_type": "education_setting", "service_name": user.organisation.name}


def _conflicts(row_identifiers: dict[str, str], child: Child) -> bool:
    """The row and the record hold different values of the same national identifier."""
    held = {i.scheme.value: i.value for i in child.identifiers if i.scheme != Scheme.local}
    return any(held.get(s, v) != v for s, v in row_identifiers.items() if s != "local")


def decide(user: User, data: dict, found: list[tuple[int, list[str]]],
           records: dict[int, Child]) -> tuple[RowOutcome, int | None]:
    """What to do with a checked row given the records it may match: add it (new), add the
    setting to its one certain match (matched, or unchanged if already there), or hold it
    for a person (several candidates, or only similar names: twins), or for the management
    team (a candidate the importer may not open is never shown)."""
    if not found:
        return RowOutcome.new, None
    if any(not disclosure.may_open(user, records[i]) for i, _ in found):
        return RowOutcome.held_management, None
    (child_id, reasons), = found if len(found) == 1 else [(None, [])]
    child = records.get(child_id)
    if child is None or not matching.is_certain(reasons) or _conflicts(
            data["identifiers"], child):
        return RowOutcome.held, None
    involved = disclosure.is_involved(user, child)
    return (RowOutcome.unchanged if involved else RowOutcome.matched), child.id


def days(datas) -> set[date]:
    """The dates of birth of checked rows."""
    return {date.fromisoformat(d["details"]["date_of_birth"]) for d in datas}


def _keys(datas) -> tuple[set[date], set[tuple[Scheme, str]]]:
    return (days(datas), {(Scheme(s), v) for d in datas for s, v in d["identifiers"].items()})


def find(index: matching.Index, data: dict) -> list[tuple[int, list[str]]]:
    """The records a checked row may be, by the duplicate rules of manual entry."""
    details = data["details"]
    return index.matches(given_names=details["given_names"],
                         family_name=details["family_name"],
                         date_of_birth=date.fromisoformat(details["date_of_birth"]),
                         identifier_values={Scheme(k): v
                                            for k, v in data["identifiers"].items()})


def candidates(index: matching.Index, datas: dict) -> dict:
    """For each checked row (by key) the records it may be, by the index (which may name
    closed records, by their identifiers: records() leaves them out)."""
    index.load(*_keys(datas.values()))
    return {key: find(index, data) for key, data in datas.items()}


def match_all(index: matching.Index, datas: dict) -> tuple[dict, dict[int, Child]]:
    """For each checked row (by key) its candidates, and the candidate records, read now
    (a record closed since the index was read is no candidate)."""
    return known_only(candidates(index, datas))


def known_only(found: dict) -> tuple[dict, dict[int, Child]]:
    """The candidates that are active records, and those records, read now."""
    known = records({i for matches in found.values() for i, _ in matches})
    return {key: [(i, r) for i, r in matches if i in known]
            for key, matches in found.items()}, known


def records(ids) -> dict[int, Child]:
    """The active candidate records, with what the policy and the conflict check read."""
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(
        sa.select(Child).where(Child.id.in_(sorted(ids)), Child.status == ChildStatus.active)
        .options(selectinload(Child.involvements), selectinload(Child.identifiers)))}


class Checker:
    """Checks rows batch by batch (each row with the add-child forms, then matched), keeping
    what it has seen so that a pupil twice in one file is caught."""

    def __init__(self, user: User):
        if not may_import(user):
            raise NotAllowed()
        self.user = user
        self.seen: dict[tuple, int] = {}
        self.index = matching.Index()

    def remember(self, number: int, data: dict) -> None:
        """A row checked before (a resumed job): later rows are compared with it too."""
        for key in self._keys(data):
            self.seen.setdefault(key, number)

    @staticmethod
    def _keys(data: dict) -> list[tuple]:
        details = data["details"]
        return [("id", s, v) for s, v in sorted(data["identifiers"].items())] + [(
            "name", matching.name_key(details["family_name"]),
            matching.name_key(details["given_names"]), details["date_of_birth"])]

    def _again(self, number: int, data: dict) -> RowResult | None:
        for key in self._keys(data):
            if key in self.seen:
                column = (rows.IDENTIFIER_COLUMNS[key[1]] if key[0] == "id" else "")
                return RowResult(number, RowOutcome.error, errors=[(
                    column, f"This pupil is also on row {self.seen[key]}")])
        self.remember(number, data)
        return None

    def check(self, batch: list[tuple[int, dict[str, str]]],
              checked: list[rows.Checked] | None = None) -> list[RowResult]:
        """Check and match a batch of rows (checked: their rows.check(), if a helper has
        done it already); writes nothing."""
        results: list[RowResult] = []
        for (number, _), (data, errors) in zip(
                batch, checked or [rows.check(cells) for _, cells in batch], strict=True):
            if errors:
                results.append(RowResult(number, RowOutcome.error, errors=errors))
                continue
            data["services"] = [_school_service(self.user)]
            results.append(self._again(number, data) or RowResult(number, RowOutcome.new,
                                                                  data))
        checked = [r for r in results if r.data is not None]
        found, known = match_all(self.index, {r.number: r.data for r in checked})
        for row in checked:
            row.outcome, row.child_id = decide(self.user, row.data, found[row.number], known)
        return results


def checked_in_order(found: list[tuple[int, dict[str, str]]],
                     ) -> Generator[rows.Checked, None, None]:
    """rows.check() of each row, in order: a big file's by helper processes
    (IMPORT_CHECK_PROCESSES, from IMPORT_HELPED_ROWS rows), so that the caller can match
    and store rows while the next are checked."""
    config = current_app.config
    helpers = config["IMPORT_CHECK_PROCESSES"] if len(found) >= config["IMPORT_HELPED_ROWS"] \
        else 0
    return rows.checked_in_order([cells for _, cells in found], helpers)


def preview(user: User, found: list[tuple[int, dict[str, str]]], kind: str,
            batch: int = 500) -> Preview:
    """Check and match every row in memory (the command line's --dry-run); writes
    nothing."""
    checker, checked = Checker(user), checked_in_order(found)
    results = [r for start in range(0, len(found), batch)
               for r in checker.check(found[start:start + batch],
                                      list(islice(checked, batch)))]
    db.session.rollback()  # matching only read: end the read before any write
    return Preview(kind, results)
