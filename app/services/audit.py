"""The one audit path: record() appends a hash-chained, HMAC'd event; verify() proves the chain.

An event is written in the caller's transaction, so the work and its audit event commit or
roll back together. Appends lock the chain head row (PostgreSQL) inside a transaction that
SQLite already began IMMEDIATE, so the chain never forks.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from app.core.clock import now
from app.database import writing
from app.extensions import db
from app.models import AuditDetail, AuditEvent, AuditHead
from app.models.audit import GENESIS_HASH
from app.services import actor, crypto

HEAD_ID = 1
ACTOR = object()  # "whoever is acting now" (services/actor.py), the default for who and where


def canonical(value) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over the canonical encoding of every column but hash and hmac."""
    fields = [
        event.seq, _stamp(event.occurred_at), event.action, event.outcome,
        event.actor_user_id, event.on_behalf_of_user_id, event.organisation_id,
        event.subject_type, event.subject_id, event.child_id, event.ip,
        event.reason_category, bool(event.shielded), event.detail_digest, event.prev_hash,
    ]
    return crypto.digest(canonical(fields))


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


def _head_mac(seq: int, last_hash: str) -> str:
    return crypto.keyed_digest(_key(), f"head:{seq}:{last_hash}")


def _locked_head() -> AuditHead:
    head = db.session.scalars(
        sa.select(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if head is None:  # created by the first migration; made here only for a blank schema
        head = AuditHead(id=HEAD_ID, last_seq=0, last_hash=GENESIS_HASH)
        db.session.add(head)
        db.session.flush()
    return head


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
) -> AuditEvent:
    """Append one event (and its erasable detail) in the current transaction. Who acted,
    their organisation and their address come from the current actor unless given."""
    return record_many([dict(
        action=action, outcome=outcome, actor_user_id=actor_user_id,
        on_behalf_of_user_id=on_behalf_of_user_id, organisation_id=organisation_id,
        subject_type=subject_type, subject_id=subject_id, child_id=child_id, ip=ip,
        reason_category=reason_category, shielded=shielded, detail=detail)])[0]


def record_many(events: list[dict]) -> list[AuditEvent]:
    """Append several events (each given as record()'s arguments) in order, taking the
    chain head once and writing them in one flush: a batch job's hundreds of events cost
    about what one does."""
    acting = actor.current()
    with writing():  # begins a writer if nothing has begun the transaction yet
        head = _locked_head()
    seq, last_hash, made, details = head.last_seq, head.last_hash, [], []
    for given in events:
        body = canonical(given["detail"]) if given.get("detail") else None
        salt = secrets.token_hex(16) if body else None
        seq += 1
        event = AuditEvent(
            seq=seq, occurred_at=now(), action=given["action"],
            outcome=given.get("outcome", "success"),
            actor_user_id=_given(given, "actor_user_id", acting.user_id),
            on_behalf_of_user_id=given.get("on_behalf_of_user_id"),
            organisation_id=_given(given, "organisation_id", acting.organisation_id),
            subject_type=given.get("subject_type"), subject_id=given.get("subject_id"),
            child_id=given.get("child_id"), ip=_given(given, "ip", acting.ip),
            reason_category=given.get("reason_category"),
            shielded=bool(given.get("shielded", False)),
            detail_digest=detail_digest(salt, body) if body else None, prev_hash=last_hash)
        event.hash = event_hash(event)
        event.hmac = crypto.keyed_digest(_key(), event.hash)
        last_hash = event.hash
        made.append(event)
        if body:
            details.append(AuditDetail(event_seq=event.seq, body=body, salt=salt))
    db.session.add_all(made)
    head.last_seq, head.last_hash = seq, last_hash
    head.hmac = _head_mac(seq, last_hash)
    db.session.flush()  # the event rows must exist before their details (foreign key)
    if details:
        db.session.add_all(details)
        db.session.flush()
    return made


def _given(given: dict, name: str, acting):
    value = given.get(name, ACTOR)
    return acting if value is ACTOR else value


@dataclass
class Verdict:
    """What verify() found."""

    ok: bool
    events: int
    bad_seq: int | None = None
    problem: str = ""


def verify(batch: int = 2000) -> Verdict:
    """Walk the whole chain: hashes, HMACs, links, detail digests and the signed head.

    The head is read first and the walk stops at the event it names, so events appended
    while verify runs are neither missed nor mistaken for tampering. Each batch is read in
    its own short transaction, so a long walk never holds SQLite's write lock for long.
    """
    head = db.session.get(AuditHead, HEAD_ID)
    head_seq = head.last_seq if head else None
    db.session.expunge_all()
    db.session.rollback()
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    last_seen = 0
    while True:
        query = (sa.select(AuditEvent, AuditDetail)
                 .outerjoin(AuditDetail, AuditDetail.event_seq == AuditEvent.seq)
                 .where(AuditEvent.seq > last_seen).order_by(AuditEvent.seq).limit(batch))
        if head_seq is not None:
            query = query.where(AuditEvent.seq <= head_seq)
        rows = db.session.execute(query).all()
        db.session.expunge_all()  # keep the loaded rows as they are, then end the read
        db.session.rollback()
        if not rows:
            break
        for event, detail in rows:
            problem = _check(event, detail, expected_seq, expected_prev)
            if problem:
                return Verdict(False, count, event.seq, problem)
            expected_prev, expected_seq, count = event.hash, event.seq + 1, count + 1
            last_seen = event.seq
    return _check_head(head, count, expected_seq - 1, expected_prev)


def _check(event, detail, expected_seq, expected_prev) -> str:
    if event.seq != expected_seq:
        return f"event {expected_seq} is missing"
    if event.prev_hash != expected_prev:
        return "does not link to the event before it"
    if event_hash(event) != event.hash:
        return "its contents were changed after it was written"
    if not crypto.same(crypto.keyed_digest(_key(), event.hash), event.hmac):
        return "its HMAC does not match (forged or re-hashed)"
    if event.detail_digest and detail is None:
        return "its detail record was deleted"
    if detail is not None and detail.body is not None and (
            detail_digest(detail.salt, detail.body) != event.detail_digest):
        return "its detail record was changed"
    return ""


def _check_head(head, count, last_seq, last_hash) -> Verdict:
    if head is None:
        return Verdict(count == 0, count, None if count == 0 else last_seq, "" if count == 0
                       else "the chain head record is missing")
    if head.last_seq != last_seq or head.last_hash != last_hash:
        return Verdict(False, count, last_seq + 1,
                       f"the chain was cut: the head names event {head.last_seq}, "
                       f"the table ends at {last_seq}")
    if head.last_seq and not crypto.same(head.hmac or "", _head_mac(head.last_seq, head.last_hash)):
        return Verdict(False, count, head.last_seq, "the chain head record was forged")
    return Verdict(True, count)
