"""The audit log's Merkle tree: the sequencer that seals events into it, the signed tree
heads, and inclusion proofs (services/audit.py says how the pieces fit).

A tree head is signed with Ed25519 by a key derived from AUDIT_SIGNING_KEY, which lives
outside the database like the HMAC key: whoever holds only the database can neither sign a
head nor hide a rewrite from someone who kept an earlier one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from flask import current_app

from app.core.clock import now
from app.extensions import db
from app.models import AuditEvent, AuditLeaf, AuditTreeHead, AuditUnsealed
from app.services import audit, merkle, transaction
from app.services.transaction import atomic, unit_sizes

SEAL_BATCH = 20_000  # events per sealing transaction at most (PostgreSQL; on SQLite fewer)
_SEQUENCER_LOCK = 0x7A5E_A1  # PostgreSQL advisory lock: one sequencer at a time
_HEAD_LABEL = "teamaround-audit-tree-head-v1"


def leaf_of(seq: int, event_hash: str) -> bytes:
    """The leaf hash of an event: its number and its hash (which covers every column), so
    anyone holding the event's columns can recompute it without any key."""
    return merkle.leaf_hash(f"{seq}:{event_hash}".encode("ascii"))


@dataclass(frozen=True)
class Head:
    """A signed tree head, as printed by `flask audit head` and given to --against."""

    tree_size: int
    root_hash: str
    signed_at: str
    signature: str
    public_key: str

    def message(self) -> bytes:
        """What the signature covers."""
        return _message(self.tree_size, self.root_hash, self.signed_at)

    def to_json(self) -> str:
        """One line of JSON, for publishing anywhere."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Head:
        """Read a head printed by to_json(); ValueError if it is not one."""
        try:
            data = json.loads(text)
            head = cls(tree_size=int(data["tree_size"]), root_hash=str(data["root_hash"]),
                       signed_at=str(data["signed_at"]), signature=str(data["signature"]),
                       public_key=str(data.get("public_key", "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError("that is not a tree head printed by `flask audit head`") from exc
        if head.tree_size < 0:
            raise ValueError("a tree head's size cannot be negative")
        return head


def _message(tree_size: int, root_hash: str, signed_at: str) -> bytes:
    return f"{_HEAD_LABEL}:{tree_size}:{root_hash}:{signed_at}".encode("ascii")


def _private_key() -> Ed25519PrivateKey:
    secret = current_app.config["AUDIT_SIGNING_KEY"].encode("utf-8")
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(secret).digest())


def public_key() -> str:
    """The hex public key that checks this install's tree heads."""
    return _private_key().public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def signature_holds(head: Head) -> bool:
    """True when this install's key signed the head."""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key()))
        key.verify(bytes.fromhex(head.signature), head.message())
    except (InvalidSignature, ValueError):
        return False
    return True


def _as_head(row: AuditTreeHead) -> Head:
    return Head(row.tree_size, row.root_hash, audit.stamp(row.signed_at), row.signature,
                public_key())


def latest() -> Head | None:
    """The newest signed tree head, if any event was ever sealed."""
    row = db.session.scalars(
        sa.select(AuditTreeHead).order_by(AuditTreeHead.tree_size.desc()).limit(1)).first()
    return _as_head(row) if row else None


@atomic
def seal(limit: int = SEAL_BATCH) -> int:
    """Seal up to `limit` waiting events, in order, into the tree and sign the new head.
    Returns how many were sealed. Safe to run anywhere, any number of times at once: one
    sequencer works at a time (advisory lock on PostgreSQL, the write lock on SQLite)."""
    if db.session.connection().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SEQUENCER_LOCK})
    row = db.session.scalars(
        sa.select(AuditTreeHead).order_by(AuditTreeHead.tree_size.desc()).limit(1)).first()
    frontier = merkle.Frontier.load(row.tree_size, row.frontier) if row else merkle.Frontier()
    waiting = db.session.execute(
        sa.select(AuditUnsealed.event_seq, AuditEvent.hash)
        .join(AuditEvent, AuditEvent.seq == AuditUnsealed.event_seq)  # a deleted one waits
        .order_by(AuditUnsealed.event_seq).limit(limit)).all()
    if not waiting:
        return 0
    start, leaves = frontier.size, []
    for seq, event_hash in waiting:
        leaf = leaf_of(seq, event_hash)
        leaves.append({"position": frontier.size, "event_seq": seq, "leaf_hash": leaf.hex()})
        frontier.append(leaf)
    db.session.execute(sa.insert(AuditLeaf), leaves)
    db.session.execute(sa.delete(AuditUnsealed).where(AuditUnsealed.event_seq.in_(
        sa.select(AuditLeaf.event_seq).where(AuditLeaf.position >= start))))
    signed_at = now()
    root_hash = frontier.root().hex()
    signature = _private_key().sign(_message(frontier.size, root_hash, audit.stamp(signed_at)))
    db.session.add(AuditTreeHead(tree_size=frontier.size, root_hash=root_hash,
                                 signed_at=signed_at, signature=signature.hex(),
                                 frontier=frontier.dump()))
    return len(waiting)


def seal_all() -> int:
    """Seal everything waiting, in units sized like any long job's (on SQLite, to hold the
    write lock about 10 ms each: an import's thousands of events a second, sealed in one
    unit, kept people waiting for tens of milliseconds every second; and each gives way to
    a person who starts waiting meanwhile). Returns how many were sealed."""
    total = 0
    for limit in unit_sizes(SEAL_BATCH, first=_last_unit[0]):
        _last_unit[0] = limit  # the sequencer runs every second: start there next time
        sealed = transaction.giving_way(seal, limit)
        total += sealed
        if sealed < limit:
            return total
    return total  # pragma: no cover - unit_sizes never ends


_last_unit = [transaction.LEAST]


def _leaf_hashes(size: int) -> list[bytes]:
    rows = db.session.execute(
        sa.select(AuditLeaf.leaf_hash).where(AuditLeaf.position < size)
        .order_by(AuditLeaf.position)).scalars()
    return [bytes.fromhex(value) for value in rows]


@dataclass(frozen=True)
class Proof:
    """That one event is leaf `position` of the tree under a signed head: anyone can check
    it from the event's number and hash, the path and the head (no key needed)."""

    seq: int
    event_hash: str
    position: int
    path: list[str]
    head: Head

    def to_json(self) -> str:
        """Printable JSON."""
        data = asdict(self)
        data["head"] = asdict(self.head)
        return json.dumps(data, sort_keys=True, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Proof:
        """Read a proof printed by to_json(); ValueError if it is not one."""
        try:
            data = json.loads(text)
            return cls(int(data["seq"]), str(data["event_hash"]), int(data["position"]),
                       [str(p) for p in data["path"]],
                       Head.from_json(json.dumps(data["head"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError("that is not a proof printed by `flask audit prove`") from exc


def prove(seq: int) -> Proof | None:
    """The inclusion proof of event `seq` in the newest signed tree (None: not sealed)."""
    position = db.session.scalar(sa.select(AuditLeaf.position).where(AuditLeaf.event_seq == seq))
    head = latest()
    if position is None or head is None:
        return None
    event_hash = db.session.scalar(sa.select(AuditEvent.hash).where(AuditEvent.seq == seq))
    path = merkle.inclusion_path(position, _leaf_hashes(head.tree_size))
    return Proof(seq, event_hash, position, [node.hex() for node in path], head)


def proof_holds(proof: Proof) -> bool:
    """True when the proof leads to its head's root and this install signed that head."""
    try:
        path = [bytes.fromhex(node) for node in proof.path]
        reached = merkle.root_from_path(proof.position, proof.head.tree_size,
                                        leaf_of(proof.seq, proof.event_hash), path)
    except ValueError:
        return False
    return (reached is not None and reached.hex() == proof.head.root_hash
            and signature_holds(proof.head))
