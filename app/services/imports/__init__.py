"""Importing a school's roll from its MIS: read the file (files.py, ctf.py), check each row
with the rules of manual entry (rows.py), match it against the directory with the
duplicate rules of manual entry, then, once a person confirms, create or update each child
in its own transaction with its audit events. Re-importing a file changes nothing.

A match to a record the importer may not open is never shown: the row is held for the
management team (disclosure.may_open decides, as everywhere)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from app.core.errors import NotAllowed, Refused
from app.extensions import db
from app.models import Child, Role, RowOutcome, Scheme, User
from app.services import audit, children, disclosure, matching
from app.services.imports import files, rows
from app.services.imports.ctf import ctf_rows
from app.services.transaction import atomic

__all__ = ["Preview", "Refused", "apply", "preview", "read"]


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


def read(content: bytes) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    """The file's kind and rows, or Refused with one plain sentence."""
    limit = current_app.config["IMPORT_MAX_BYTES"]
    if len(content) > limit:
        raise Refused(f"The file is larger than {limit // (1024 * 1024)} MB: export fewer "
                      "pupils at a time")
    kind = files.kind_of(content)
    found = list(ctf_rows(content) if kind == "ctf" else files.csv_rows(content))
    if not found:
        raise Refused("The file holds no pupils")
    return kind, found


def _school_service(user: User) -> dict:
    """The importing setting as the child's education setting (involvements.build fills
    the rest in as empty)."""
    return {"service_type": "education_setting", "service_name": user.organisation.name}


def _match(user: User, data: dict) -> tuple[RowOutcome, int | None]:
    details = data["details"]
    found = matching.likely_matches(
        given_names=details["given_names"], family_name=details["family_name"],
        date_of_birth=date.fromisoformat(details["date_of_birth"]),
        identifier_values={Scheme(k): v for k, v in data["identifiers"].items()})
    if not found:
        return RowOutcome.new, None
    if any(not disclosure.may_open(user, m.child) for m in found):
        return RowOutcome.held_management, None
    strong = [m for m in found if any(r.startswith("same ") and r != "same date of birth"
                                      for r in m.reasons)]
    if len(found) == 1 and strong:
        child = found[0].child
        involved = disclosure.is_involved(user, child)
        return (RowOutcome.unchanged if involved else RowOutcome.matched), child.id
    return RowOutcome.held, None


def preview(user: User, found: list[tuple[int, dict[str, str]]], kind: str) -> Preview:
    """Check and match every row; writes nothing."""
    if user.role not in (Role.data_entry, Role.practitioner) and not user.is_management:
        raise NotAllowed()
    results, seen = [], {}
    for number, cells in found:
        data, errors = rows.check(cells)
        if errors:
            results.append(RowResult(number, RowOutcome.error, errors=errors))
            continue
        again = [(s, v) for s, v in data["identifiers"].items() if (s, v) in seen]
        if again:
            scheme, value = again[0]
            results.append(RowResult(number, RowOutcome.error, errors=[(
                rows.IDENTIFIER_COLUMNS[scheme],
                f"The same identifier is on row {seen[(scheme, value)]}")]))
            continue
        seen.update({(s, v): number for s, v in data["identifiers"].items()})
        data["services"] = [_school_service(user)]
        outcome, child_id = _match(user, data)
        results.append(RowResult(number, outcome, data, child_id=child_id))
    db.session.rollback()  # matching only read: end the read before any write
    return Preview(kind, results)


@atomic
def _apply_row(user: User, row: RowResult) -> int:
    if row.outcome == RowOutcome.new:
        return children.create_from_draft(user, row.data).id
    child = db.session.get(Child, row.child_id)
    children.add_draft_involvements_to(user, child, row.data)
    return child.id


@atomic
def _record(user: User, kind: str, counts: Counter, applied: int) -> None:
    audit.record("import.applied", organisation_id=user.organisation_id,
                 detail={"kind": kind, "applied": applied,
                         **{str(k): v for k, v in sorted(counts.items())}})


def apply(user: User, result: Preview) -> int:
    """Create the new children and add the setting to the matched ones, each row in its own
    transaction with its audit events; rows held or in error are left. Returns how many
    rows were applied."""
    applied = 0
    for row in result.rows:
        if row.outcome in (RowOutcome.new, RowOutcome.matched):
            row.child_id = _apply_row(user, row)
            applied += 1
    _record(user, result.kind, result.counts(), applied)
    return applied
