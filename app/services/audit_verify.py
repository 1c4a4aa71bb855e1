"""`flask audit verify`: every event's hash and HMAC, every detail's digest, every leaf of
the Merkle tree, the roots of the signed tree heads, and (given one) a head recorded
elsewhere, which proves the log has only grown since it was printed.

Rows are streamed without the ORM; a long log is checked in ranges by several processes
(the sealed leaves never change, so the ranges need no shared transaction), while this
process rebuilds the tree from their leaf hashes. The small questions (how many events,
which wait for their seal, the newest head) are asked in one snapshot.
"""

from __future__ import annotations

import hmac
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.pool import NullPool

from app.extensions import db
from app.models import AuditDetail, AuditEvent, AuditLeaf, AuditTreeHead, AuditUnsealed
from app.services import audit, audit_tree, merkle

PARALLEL_FROM = 100_000  # fewer events than this are checked in this process alone
_CHUNK = 100_000
_EVENT = [getattr(AuditEvent, column) for column in audit.HASHED]
_HASH = 1 + len(_EVENT)  # where _rows() puts the event's hash (then hmac, then the detail)


@dataclass
class Verdict:
    """What verify() found."""

    ok: bool
    events: int
    bad_seq: int | None = None
    problem: str = ""
    sealed: int = 0
    waiting: int = 0


@dataclass
class _Snapshot:
    head: audit_tree.Head | None
    leaves: int
    events: int
    waiting: list
    heads: list[tuple[int, str]]


def verify(against: audit_tree.Head | None = None, workers: int | None = None) -> Verdict:
    """Check the whole log; the first problem found is named."""
    snap = _snapshot()
    size = snap.head.tree_size if snap.head else 0
    for problem in (_head_problem(snap), _against_problem(against, size)):
        if problem:
            return Verdict(False, 0, problem[0], problem[1])
    checked, bad = _check_tree(size, snap.heads, against, workers)
    if bad:
        return Verdict(False, checked, bad[0], bad[1])
    for row in snap.waiting:
        problem = ("it is sealed and yet still queued for sealing" if row.position is not None
                   else _row_problem(tuple(row), current_app.config["AUDIT_HMAC_KEY"].encode()))
        if problem:
            return Verdict(False, checked, row.event_seq, problem)
    if snap.events != snap.leaves + len(snap.waiting):
        seq = _lost_from_queue()
        return Verdict(False, checked, seq, "it is neither sealed nor waiting to be sealed "
                       "(taken off the sequencer's queue)")
    return Verdict(True, checked + len(snap.waiting), sealed=checked, waiting=len(snap.waiting))


def _snapshot() -> _Snapshot:
    """The counts, the newest head and the waiting events, all as of one moment."""
    options = ({"isolation_level": "REPEATABLE READ"}
               if db.engine.dialect.name == "postgresql" else {})
    with db.engine.connect().execution_options(**options) as conn, conn.begin():
        heads = conn.execute(sa.select(AuditTreeHead.tree_size, AuditTreeHead.root_hash)
                             .order_by(AuditTreeHead.tree_size)).all()
        newest = conn.execute(sa.select(AuditTreeHead).order_by(
            AuditTreeHead.tree_size.desc()).limit(1)).first()
        leaves = conn.scalar(sa.select(sa.func.count()).select_from(AuditLeaf))
        events = conn.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
        waiting = conn.execute(_rows(AuditUnsealed.event_seq, AuditUnsealed)
                               .outerjoin(AuditLeaf, AuditLeaf.event_seq == AuditUnsealed.event_seq)
                               .add_columns(AuditLeaf.position)
                               .order_by(AuditUnsealed.event_seq)).all()
    head = None
    if newest is not None:
        head = audit_tree.Head(newest.tree_size, newest.root_hash,
                               audit.stamp(newest.signed_at), newest.signature,
                               audit_tree.public_key())
    return _Snapshot(head, leaves, events, waiting, [tuple(h) for h in heads])


def _rows(seq_column, table):
    """Every column a check needs, for the events that `table` names by `seq_column`."""
    return (sa.select(seq_column, *_EVENT, AuditEvent.hash, AuditEvent.hmac,
                      AuditDetail.event_seq.is_not(None), AuditDetail.body, AuditDetail.salt)
            .select_from(table)
            .outerjoin(AuditEvent, AuditEvent.seq == seq_column)
            .outerjoin(AuditDetail, AuditDetail.event_seq == seq_column))


def _head_problem(snap: _Snapshot) -> tuple[int | None, str] | None:
    head = snap.head
    if head is None:
        return (None, f"{snap.leaves} events are sealed but no signed tree head covers "
                "them") if snap.leaves else None
    if not audit_tree.signature_holds(head):
        return None, (f"the newest tree head (size {head.tree_size}) is not signed by this "
                      "install's key")
    if snap.leaves < head.tree_size:
        return head.tree_size - 1, (
            f"the tree was cut: the newest signed head covers {head.tree_size} events, "
            f"{snap.leaves} are sealed")
    if snap.leaves > head.tree_size:
        return None, (f"{snap.leaves - head.tree_size} events are sealed beyond the newest "
                      "signed head: later heads were deleted")
    return None


def _against_problem(against: audit_tree.Head | None, size: int) -> tuple[None, str] | None:
    if against is None:
        return None
    if not audit_tree.signature_holds(against):
        return None, "the head given was not signed by this install's key"
    if against.tree_size > size:
        return None, (f"the log holds {size} sealed events, fewer than the {against.tree_size} "
                      "of the head given: it was restored from an older copy or reset")
    return None


def _check_tree(size: int, heads: list[tuple[int, str]], against, workers: int | None):
    """Check leaves [0, size) in ranges; rebuild the tree; compare every head's root."""
    expected = dict(heads)
    if against is not None:
        expected[against.tree_size] = None  # checked against its own root below
    ranges = [(start, min(size, start + _CHUNK)) for start in range(0, size, _CHUNK)]
    url = db.engine.url.render_as_string(hide_password=False)
    key = current_app.config["AUDIT_HMAC_KEY"]
    workers = workers or (min(2, os.cpu_count() or 1) if size >= PARALLEL_FROM else 1)
    frontier, checked = merkle.Frontier(), 0
    for count, bad, leaves in _results(url, key, ranges, workers):
        if bad:
            return checked + count, bad
        for offset in range(0, len(leaves), 32):
            frontier.append(leaves[offset:offset + 32])
            if frontier.size in expected:
                problem = _root_problem(frontier, expected[frontier.size], against)
                if problem:
                    return checked + offset // 32 + 1, (None, problem)
        checked += count
    if 0 in expected:
        problem = _root_problem(frontier, expected[0], against)
        if problem:
            return checked, (None, problem)
    return checked, None


def _root_problem(frontier: merkle.Frontier, root_hash: str | None, against) -> str:
    root = frontier.root().hex()
    if root_hash is not None and root != root_hash:
        return (f"the signed tree head of size {frontier.size} does not match the events: "
                "a sealed event was changed, moved or removed")
    if against is not None and frontier.size == against.tree_size and root != against.root_hash:
        return (f"the log's first {against.tree_size} events are not the ones the head given "
                "signed: history was rewritten or replaced since it was printed")
    return ""


def _results(url: str, key: str, ranges, workers: int):
    if workers <= 1 or len(ranges) <= 1:
        for start, stop in ranges:
            yield _check_range(url, key, start, stop)
        return
    db.session.remove()
    db.engine.dispose()  # no open connection may cross the fork
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(_check_range, [url] * len(ranges), [key] * len(ranges),
                            *zip(*ranges, strict=True))


def _check_range(url: str, key: str, start: int, stop: int):
    """Check the sealed events at positions [start, stop): returns how many were checked,
    the first problem (seq, what) or None, and their leaf hashes, concatenated. The hot
    loop of a long verify: rows are tuples, each hashed once."""
    engine = sa.create_engine(url, poolclass=NullPool)
    query = (_rows(AuditLeaf.event_seq, AuditLeaf)
             .add_columns(AuditLeaf.position, AuditLeaf.leaf_hash)
             .where(AuditLeaf.position >= start, AuditLeaf.position < stop)
             .order_by(AuditLeaf.position))
    leaves, position, secret = [], start, key.encode("utf-8")
    try:
        with engine.connect() as conn:
            rows = conn.execution_options(stream_results=True, yield_per=5000).execute(query)
            for row in rows.tuples():
                if row[-2] != position:
                    break
                problem = _row_problem(row, secret)
                leaf = audit_tree.leaf_of(row[0], row[_HASH]) if not problem else b""
                if not problem and leaf.hex() != row[-1]:
                    problem = "its leaf in the tree was changed"
                if problem:
                    return position - start, (row[0], problem), b""
                leaves.append(leaf)
                position += 1
    finally:
        engine.dispose()
    if position != stop:
        return position - start, (None, f"the tree has no leaf at position {position}"), b""
    return stop - start, None, b"".join(leaves)


def _row_problem(row: tuple, secret: bytes) -> str:
    """What is wrong with one event's row and its detail ("" if nothing): `row` as _rows()
    selects it."""
    if row[1] is None:
        return "the event was deleted"
    stored = row[_HASH]
    if audit.hash_columns(row[1:_HASH]) != stored:
        return "its contents were changed after it was written"
    if not hmac.compare_digest(hmac.digest(secret, stored.encode("ascii"), "sha256").hex(),
                               row[_HASH + 1]):
        return "its HMAC does not match (forged or re-hashed)"
    has_detail, body, salt = row[_HASH + 2:_HASH + 5]
    detail_digest = row[_HASH - 2]
    if detail_digest and not has_detail:
        return "its detail record was deleted"
    if body is not None and audit.detail_digest(salt, body) != detail_digest:
        return "its detail record was changed"
    return ""


def _lost_from_queue() -> int | None:
    """The first event that is neither sealed nor queued (only asked once counts differ)."""
    return db.session.scalar(
        sa.select(AuditEvent.seq)
        .outerjoin(AuditLeaf, AuditLeaf.event_seq == AuditEvent.seq)
        .outerjoin(AuditUnsealed, AuditUnsealed.event_seq == AuditEvent.seq)
        .where(AuditLeaf.position.is_(None), AuditUnsealed.event_seq.is_(None))
        .order_by(AuditEvent.seq).limit(1))
