"""The one audit path: record() appends HMAC'd events; seal() seals them into a Merkle tree
under signed tree heads; verify() proves the lot.

An event is written in the caller's transaction, so the work and its audit event commit or
roll back together. Nothing shared is locked to write one: its number comes from a
sequence (PostgreSQL) or is the next one under the write lock SQLite's writer holds anyway;
its hash covers every column and its HMAC (a key outside the database) that hash, so a
changed row is caught at once. Each event is also queued in audit_unsealed, in the same
transaction.

A sequencer (the job queue's seal_audit, about every second) takes the queued events in
order, appends their leaves to the Merkle tree of RFC 9162 (Certificate Transparency) and
signs the new tree head with Ed25519 (AUDIT_SIGNING_KEY, outside the database). A head is
exportable (`flask audit head`); verifying against a head recorded elsewhere proves that
the log has only grown since, which catches a restored older copy or a reset; an
inclusion proof (`flask audit prove SEQ`) shows one event is in a signed tree.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from app.core.clock import now
from app.database import insert_rows, note_written, writing
from app.extensions import db
from app.models import AuditDetail, AuditEvent, AuditUnsealed
from app.services import actor, crypto

ACTOR = object()  # "whoever is acting now" (services/actor.py), the default for who and where


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(value) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept."""
    return _CANONICAL.encode(value)


def stamp(value: datetime) -> str:
    """A moment (naive, UTC) as the hashes and signatures spell it:
    2026-11-24T05:45:00.123456Z."""
    return value.isoformat(timespec="microseconds") + "Z"


# The columns an event's hash covers, in order: every one but hash and hmac
HASHED = ("seq", "occurred_at", "action", "outcome", "actor_user_id", "on_behalf_of_user_id",
          "organisation_id", "subject_type", "subject_id", "child_id", "ip",
          "reason_category", "shielded", "detail_digest", "prev_hash")


def hash_columns(values) -> str:
    """SHA-256 over the canonical encoding of an event's HASHED columns, given in order."""
    fields = list(values)
    fields[1], fields[12] = stamp(fields[1]), bool(fields[12])
    return crypto.digest(canonical(fields))


def event_hash(event: AuditEvent) -> str:
    """The hash of an event's columns (HASHED)."""
    return hash_columns([getattr(event, column) for column in HASHED])


def detail_digest(salt: str | None, body: str) -> str:
    """The digest the chain keeps of a detail: salted, so that once the body and its salt
    are erased nobody can confirm a guess of what it said. (Details written before salts
    were kept have none.)"""
    return crypto.digest(f"{salt}:{body}" if salt else body)


def erase(event_seqs) -> int:
    """Erase the details of the events whose seq the select gives (body and salt); the
    chain still verifies. Returns how many were erased."""
    return db.session.execute(
        sa.update(AuditDetail).where(AuditDetail.event_seq.in_(event_seqs),
                                     AuditDetail.body.is_not(None))
        .values(body=None, salt=None, erased_at=now())
        .execution_options(synchronize_session=False)).rowcount


def _key() -> str:
    return current_app.config["AUDIT_HMAC_KEY"]


def _numbers(count: int) -> list[int]:
    """The next event numbers: from the sequence on PostgreSQL (never waits on another
    transaction; a rolled-back one leaves a gap, which the tree does not mind), the next
    after the last on SQLite (its writer holds the database's only write lock already)."""
    if db.session.connection().dialect.name == "postgresql":
        return list(db.session.scalars(
            sa.text("SELECT nextval('audit_event_numbers') FROM generate_series(1, :n)"),
            {"n": count}))
    last = db.session.connection().scalar(_LAST) or 0
    return list(range(last + 1, last + 1 + count))


# Built once: nearly every request audits something
_LAST = sa.select(sa.func.max(AuditEvent.seq))


def record(
    action: str,
    *,
    outcome: str = "success",
    actor_user_id=ACTOR,
    on_behalf_of_user_id: int | None = None,
    organisation_id=ACTOR,
    subject_type: str | None = None,
    subject_id: int | None = None,
    child_id: int | None = None,
    ip=ACTOR,
    reason_category: str | None = None,
    shielded: bool = False,
    detail: dict | None = None,
) -> int:
    """Append one event (and its erasable detail) in the current transaction. Who acted,
    their organisation and their address come from the current actor unless given."""
    return record_many([dict(
        action=action, outcome=outcome, actor_user_id=actor_user_id,
        on_behalf_of_user_id=on_behalf_of_user_id, organisation_id=organisation_id,
        subject_type=subject_type, subject_id=subject_id, child_id=child_id, ip=ip,
        reason_category=reason_category, shielded=shielded, detail=detail)])[0]


def record_many(events: list[dict]) -> list[int]:
    """Append several events (each given as record()'s arguments) in order, as plain
    inserts (no unit-of-work bookkeeping): a batch job's hundreds of events cost about what
    one does. Returns their numbers."""
    if not events:
        return []
    acting = actor.current()
    with writing():  # begins a writer if nothing has begun the transaction yet
        numbers = _numbers(len(events))
    key, moment, rows, details = _key(), now(), [], []
    for seq, given in zip(numbers, events, strict=True):
        body = canonical(given["detail"]) if given.get("detail") else None
        salt = secrets.token_hex(16) if body else None
        row = {
            "seq": seq, "occurred_at": moment, "action": given["action"],
            "outcome": given.get("outcome", "success"),
            "actor_user_id": _given(given, "actor_user_id", acting.user_id),
            "on_behalf_of_user_id": given.get("on_behalf_of_user_id"),
            "organisation_id": _given(given, "organisation_id", acting.organisation_id),
            "subject_type": given.get("subject_type"), "subject_id": given.get("subject_id"),
            "child_id": given.get("child_id"), "ip": _given(given, "ip", acting.ip),
            "reason_category": given.get("reason_category"),
            "shielded": bool(given.get("shielded", False)),
            "detail_digest": detail_digest(salt, body) if body else None, "prev_hash": ""}
        row["hash"] = hash_columns([row[column] for column in HASHED])
        row["hmac"] = crypto.keyed_digest(key, row["hash"])
        rows.append(row)
        if body:
            details.append({"event_seq": seq, "body": body, "salt": salt, "erased_at": None})
    conn = db.session.connection()
    insert_rows(conn, AuditEvent.__table__, rows)  # before the details (foreign key)
    insert_rows(conn, AuditUnsealed.__table__, [{"event_seq": seq} for seq in numbers])
    insert_rows(conn, AuditDetail.__table__, details)
    note_written(db.session)  # to be committed by the unit of work
    return numbers


def _given(given: dict, name: str, acting):
    value = given.get(name, ACTOR)
    return acting if value is ACTOR else value


