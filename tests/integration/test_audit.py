"""The audit trail: append-only in the database, hash-chained, HMAC'd, verifiable."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.models import AuditDetail, AuditEvent
from app.services import audit


def _append(app, count=5):
    with app.app_context():
        for n in range(count):
            audit.record("test.event", actor_user_id=n, detail={"term": f"Smith {n}"})
        db.session.commit()


def _tamper(app, statement: str, **params):
    """Change history the way an attacker with database access would: triggers off first."""
    with app.app_context():
        conn = db.session.connection()
        if conn.dialect.name == "sqlite":
            for name in ("audit_events_no_update", "audit_events_no_delete",
                         "audit_details_erase_only", "audit_details_no_delete"):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER USER")
            conn.exec_driver_sql("ALTER TABLE audit_details DISABLE TRIGGER USER")
        conn.execute(sa.text(statement), params)
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE audit_events ENABLE TRIGGER USER")
            conn.exec_driver_sql("ALTER TABLE audit_details ENABLE TRIGGER USER")
        db.session.commit()


def _verify(runner):
    return runner.invoke(args=["audit", "verify"])


def test_intact_chain_verifies(app, runner):
    _append(app)
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "5 events verified" in result.output


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET action = 'quietly.changed' WHERE seq = 3",
    "DELETE FROM audit_events WHERE seq = 5",
])
def test_database_refuses_to_change_history(app, statement):
    _append(app)
    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
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


@pytest.mark.parametrize("column,value", [
    ("action", "'quietly.changed'"), ("actor_user_id", "99"), ("occurred_at", "occurred_at"),
    ("hash", "'" + "a" * 64 + "'"), ("hmac", "'" + "b" * 64 + "'"),
])
def test_verify_names_the_event_whose_column_changed(app, runner, column, value):
    _append(app)
    if column == "occurred_at":
        _tamper(app, "UPDATE audit_events SET occurred_at = :t WHERE seq = 3",
                t="2020-01-01 00:00:00")
    else:
        _tamper(app, f"UPDATE audit_events SET {column} = {value} WHERE seq = 3")
    result = _verify(runner)
    assert result.exit_code != 0
    assert "event 3" in result.output


def test_verify_catches_a_deleted_row(app, runner):
    _append(app)
    _tamper(app, "DELETE FROM audit_details WHERE event_seq = 3")
    _tamper(app, "DELETE FROM audit_events WHERE seq = 3")
    result = _verify(runner)
    assert result.exit_code != 0 and "event 3" in result.output


def test_verify_catches_an_edited_detail(app, runner):
    _append(app)
    _tamper(app, "UPDATE audit_details SET body = '{\"term\":\"Jones\"}' WHERE event_seq = 2")
    result = _verify(runner)
    assert result.exit_code != 0 and "event 2" in result.output


def test_verify_catches_a_cut_tail(app, runner):
    _append(app)
    _tamper(app, "DELETE FROM audit_details WHERE event_seq >= 4")
    _tamper(app, "DELETE FROM audit_events WHERE seq >= 4")
    result = _verify(runner)
    assert result.exit_code != 0 and "event 4" in result.output and "cut" in result.output


def test_verify_catches_a_recomputed_chain_without_the_key(app, runner):
    """An attacker who rewrites an event and recomputes its SHA-256 still lacks the HMAC key."""
    _append(app, 2)
    with app.app_context():
        event = db.session.get(AuditEvent, 2)
        event.action = "forged"
        forged_hash = audit.event_hash(event)
        db.session.rollback()
    _tamper(app, "UPDATE audit_events SET action = 'forged', hash = :h WHERE seq = 2", h=forged_hash)
    result = _verify(runner)
    assert result.exit_code != 0 and "HMAC" in result.output


def test_eight_concurrent_writers_leave_a_chain_that_verifies(app, runner):
    errors = []

    def writer(n):
        try:
            with app.app_context():
                for i in range(10):
                    audit.record("test.concurrent", actor_user_id=n, detail={"i": i})
                    db.session.commit()
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "80 events verified" in result.output


def test_a_failed_write_leaves_no_audit_event(app):
    with app.app_context():
        audit.record("test.rolled_back")
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
