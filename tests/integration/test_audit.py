"""The audit trail: append-only in the database, each event HMAC'd, sealed by a sequencer
into a Merkle tree under signed heads, verifiable in place and against a head kept
elsewhere, with inclusion proofs."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.models import AuditDetail, AuditEvent
from app.services import audit, audit_tree, audit_verify


def _append(app, count=5, sealed=False):
    with app.app_context():
        for n in range(count):
            audit.record("test.event", actor_user_id=n, detail={"term": f"Smith {n}"})
        db.session.commit()
        if sealed:
            audit_tree.seal_all()


def _head(app) -> str:
    with app.app_context():
        audit_tree.seal_all()
        return audit_tree.latest().to_json()




def _tamper(app, statement: str, **params):
    """Change history the way an attacker with database access would: triggers and
    foreign keys off first."""
    with app.app_context():
        url = db.engine.url
        if url.get_backend_name() == "sqlite":
            db.session.remove()
            db.engine.dispose()
            conn = sqlite3.connect(url.database)  # foreign keys are off unless asked for
            for (name,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                conn.execute(f"DROP TRIGGER {name}")
            conn.execute(statement, params)
            conn.commit()
            conn.close()
            return
        conn = db.session.connection()
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.execute(sa.text(statement), params)
        db.session.commit()


def _verify(runner, *args):
    return runner.invoke(args=["audit", "verify", *args])


@pytest.mark.parametrize("sealed", [False, True])
def test_intact_log_verifies_before_and_after_sealing(app, runner, sealed):
    _append(app, sealed=sealed)
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "5 events verified" in result.output
    assert ("5 sealed" if sealed else "5 not yet sealed") in result.output


def test_sealing_signs_a_head_over_every_event_in_order(app):
    _append(app, 3, sealed=True)
    _append(app, 2, sealed=True)
    with app.app_context():
        head = audit_tree.latest()
        assert head.tree_size == 5 and audit_tree.signature_holds(head)
        assert audit_tree.seal() == 0  # nothing waits: no new head
        assert audit_tree.latest() == head
        positions = db.session.execute(sa.text(
            "SELECT event_seq FROM audit_leaves ORDER BY position")).scalars().all()
        assert positions == [1, 2, 3, 4, 5]
        assert db.session.execute(sa.text("SELECT count(*) FROM audit_unsealed")).scalar() == 0


def test_a_backlog_is_sealed_in_short_units_and_verifies(app, runner):
    """An import writes thousands of events a second; sealing them in one unit held
    SQLite's write lock for tens of milliseconds every second, and people's saves waited.
    Now a backlog is sealed in units sized like any long job's, each under its own head."""
    with app.app_context():
        audit.record_many([dict(action="test.event", actor_user_id=1)] * 1_000)
        db.session.commit()
        assert audit_tree.seal_all() == 1_000
        heads = db.session.scalar(sa.text("SELECT count(*) FROM audit_tree_heads"))
        assert heads == 1 if db.engine.dialect.name == "postgresql" else heads > 1
        assert audit_tree.latest().tree_size == 1_000
    result = _verify(runner)
    assert result.exit_code == 0 and "1,000 events verified" in result.output, result.output


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET action = 'quietly.changed' WHERE seq = 3",
    "DELETE FROM audit_events WHERE seq = 5",
    "UPDATE audit_leaves SET leaf_hash = 'x' WHERE position = 1",
    "DELETE FROM audit_leaves WHERE position = 4",
    "UPDATE audit_tree_heads SET root_hash = 'x'",
    "DELETE FROM audit_tree_heads",
])
def test_database_refuses_to_change_history(app, statement):
    _append(app, sealed=True)
    with app.app_context():
        with pytest.raises(DBAPIError, match=r"append-only|FOREIGN KEY|foreign key"):
            db.session.execute(sa.text(statement))
        db.session.rollback()


def test_details_may_be_erased_but_not_edited(app, runner):
    _append(app)
    with app.app_context():
        with pytest.raises(DBAPIError, match="only be erased"):
            db.session.execute(sa.text("UPDATE audit_details SET body = '{}' WHERE event_seq = 2"))
        db.session.rollback()
        db.session.execute(sa.update(AuditDetail).where(AuditDetail.event_seq == 2)
                           .values(body=None, erased_at=sa.func.now()))
        db.session.commit()
    assert _verify(runner).exit_code == 0


@pytest.mark.parametrize("sealed", [False, True])
@pytest.mark.parametrize("column,value", [
    ("action", "'quietly.changed'"), ("actor_user_id", "99"), ("occurred_at", "occurred_at"),
    ("hash", "'" + "a" * 64 + "'"), ("hmac", "'" + "b" * 64 + "'"),
])
def test_verify_names_the_event_whose_column_changed(app, runner, column, value, sealed):
    _append(app, sealed=sealed)
    if column == "occurred_at":
        _tamper(app, "UPDATE audit_events SET occurred_at = :t WHERE seq = 3",
                t="2020-01-01 00:00:00")
    else:
        _tamper(app, f"UPDATE audit_events SET {column} = {value} WHERE seq = 3")
    result = _verify(runner)
    assert result.exit_code != 0
    assert "event 3" in result.output


@pytest.mark.parametrize("sealed", [False, True])
def test_verify_catches_a_deleted_row(app, runner, sealed):
    _append(app, sealed=sealed)
    _tamper(app, "DELETE FROM audit_details WHERE event_seq = 3")
    _tamper(app, "DELETE FROM audit_events WHERE seq = 3")
    result = _verify(runner)
    assert result.exit_code != 0 and "event 3" in result.output
    assert "deleted" in result.output


def test_verify_catches_an_unsealed_event_taken_off_the_queue(app, runner):
    _append(app, 5)
    _tamper(app, "DELETE FROM audit_unsealed WHERE event_seq = 4")
    result = _verify(runner)
    assert result.exit_code != 0 and "event 4" in result.output
    assert "neither sealed nor waiting" in result.output


def test_verify_catches_an_edited_detail(app, runner):
    _append(app)
    _tamper(app, "UPDATE audit_details SET body = '{\"term\":\"Jones\"}' WHERE event_seq = 2")
    result = _verify(runner)
    assert result.exit_code != 0 and "event 2" in result.output


def test_verify_catches_a_cut_tail(app, runner):
    _append(app, sealed=True)
    _tamper(app, "DELETE FROM audit_leaves WHERE position >= 3")
    _tamper(app, "DELETE FROM audit_details WHERE event_seq >= 4")
    _tamper(app, "DELETE FROM audit_events WHERE seq >= 4")
    result = _verify(runner)
    assert result.exit_code != 0 and "cut" in result.output


def test_verify_catches_a_moved_leaf(app, runner):
    _append(app, 4, sealed=True)
    _tamper(app, "UPDATE audit_leaves SET event_seq = 99 WHERE position = 1")
    _tamper(app, "UPDATE audit_leaves SET event_seq = 2 WHERE position = 2")
    _tamper(app, "UPDATE audit_leaves SET event_seq = 3 WHERE position = 1")
    result = _verify(runner)
    assert result.exit_code != 0 and "leaf" in result.output


def test_a_cut_that_takes_the_heads_too_is_caught_against_a_head_kept_elsewhere(app, runner):
    """The attack the old chain could not see: the newest events, their leaves and the heads
    that covered them all go, leaving a smaller log that is consistent in itself."""
    _append(app, 3, sealed=True)
    _append(app, 2)
    kept = _head(app)  # printed by the operator and kept outside the database
    _tamper(app, "DELETE FROM audit_tree_heads WHERE tree_size > 3")
    _tamper(app, "DELETE FROM audit_leaves WHERE position >= 3")
    _tamper(app, "DELETE FROM audit_details WHERE event_seq >= 4")
    _tamper(app, "DELETE FROM audit_events WHERE seq >= 4")
    assert _verify(runner).exit_code == 0  # consistent in itself
    result = _verify(runner, "--against", kept)
    assert result.exit_code != 0
    assert "older copy or reset" in result.output


def test_a_wholesale_reset_is_caught_against_a_head_kept_elsewhere(app, runner, tmp_path):
    _append(app, 3)
    kept = tmp_path / "head.json"
    kept.write_text(_head(app))
    for table in ("audit_tree_heads", "audit_leaves", "audit_unsealed", "audit_details",
                  "audit_events"):
        _tamper(app, f"DELETE FROM {table}")
    _append(app, 6, sealed=True)  # a new history, longer than the old
    assert _verify(runner).exit_code == 0
    result = _verify(runner, "--against", str(kept))
    assert result.exit_code != 0 and "rewritten or replaced" in result.output
    good = _verify(runner, "--against", _head(app))
    assert good.exit_code == 0 and "unchanged, the 6 events" in good.output


def test_a_head_not_signed_with_our_key_is_refused(app, runner):
    _append(app, 3, sealed=True)
    head = audit_tree.Head.from_json(_head(app))
    forged = audit_tree.Head(head.tree_size, "f" * 64, head.signed_at, head.signature,
                             head.public_key)
    result = _verify(runner, "--against", forged.to_json())
    assert result.exit_code != 0 and "not signed by this install" in result.output
    _tamper(app, "UPDATE audit_tree_heads SET root_hash = :r", r="e" * 64)
    result = _verify(runner)
    assert result.exit_code != 0 and "not signed by this install" in result.output
    assert _verify(runner, "--against", "not json").exit_code == 2


def test_an_inclusion_proof_holds_and_a_changed_one_does_not(app, runner, tmp_path):
    _append(app, 7)
    result = runner.invoke(args=["audit", "prove", "5"])
    assert result.exit_code == 0, result.output
    proof = tmp_path / "proof.json"
    proof.write_text(result.output)
    checked = runner.invoke(args=["audit", "check-proof", str(proof)])
    assert checked.exit_code == 0 and "event 5 is leaf 4" in checked.output
    parsed = audit_tree.Proof.from_json(result.output)
    with app.app_context():
        for changed in (
            audit_tree.Proof(4, parsed.event_hash, parsed.position, parsed.path, parsed.head),
            audit_tree.Proof(parsed.seq, "0" * 64, parsed.position, parsed.path, parsed.head),
            audit_tree.Proof(parsed.seq, parsed.event_hash, parsed.position,
                             ["0" * 64, *parsed.path[1:]], parsed.head),
        ):
            assert not audit_tree.proof_holds(changed)
    assert runner.invoke(args=["audit", "prove", "99"]).exit_code == 1


def test_verify_in_parallel_ranges_finds_the_same(app, monkeypatch):
    """The ranges a long log is split into, checked by processes of their own."""
    monkeypatch.setattr(audit_verify, "_CHUNK", 4)
    _append(app, 9, sealed=True)
    _append(app, 2, sealed=True)
    with app.app_context():
        verdict = audit_verify.verify(workers=2)
        assert verdict.ok and verdict.sealed == 11, verdict
    _tamper(app, "UPDATE audit_events SET action = 'x' WHERE seq = 10")
    with app.app_context():
        verdict = audit_verify.verify(workers=2)
        assert not verdict.ok and verdict.bad_seq == 10


def test_verify_catches_a_recomputed_chain_without_the_key(app, runner):
    """An attacker who rewrites an event and recomputes its SHA-256 still lacks the HMAC key."""
    _append(app, 2)
    with app.app_context():
        event = db.session.get(AuditEvent, 2)
        event.action = "forged"
        forged_hash = audit.event_hash(event)
        db.session.rollback()
    _append(app, 0, sealed=True)
    _tamper(app, "UPDATE audit_events SET action = 'forged', hash = :h WHERE seq = 2", h=forged_hash)
    result = _verify(runner)
    assert result.exit_code != 0 and "HMAC" in result.output


def test_eight_concurrent_writers_and_a_sequencer_leave_a_log_that_verifies(app, runner):
    errors = []

    def writer(n):
        try:
            with app.app_context():
                for i in range(10):
                    audit.record("test.concurrent", actor_user_id=n, detail={"i": i})
                    db.session.commit()
        except Exception as exc:
            errors.append(repr(exc))

    def sequencer():
        try:
            with app.app_context():
                for _ in range(20):
                    audit_tree.seal_all()
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    threads.append(threading.Thread(target=sequencer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "80 events verified" in result.output
    _head(app)
    result = _verify(runner)
    assert "80 sealed" in result.output


def test_a_failed_write_leaves_no_audit_event(app):
    with app.app_context():
        audit.record("test.rolled_back")
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
        assert db.session.execute(sa.text("SELECT count(*) FROM audit_unsealed")).scalar() == 0


def test_the_consumer_seals_within_seconds(app):
    """The sequencer runs beside the queue's workers, about every second."""
    from app.jobs import queue

    stop = threading.Event()
    threads = queue.start_companions(app, stop)
    try:
        _append(app, 3)
        with app.app_context():
            for _ in range(100):
                head = audit_tree.latest()
                db.session.rollback()
                if head and head.tree_size == 3:
                    break
                threading.Event().wait(0.1)
            assert head is not None and head.tree_size == 3
    finally:
        stop.set()
        for thread in threads:
            thread.join()
