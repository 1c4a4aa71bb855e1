"""What a child page costs the database: statements and transactions per request, counted
(not timed). The throughput issue's budget: session and user in one query, nothing loaded
twice, reads outside the one short write transaction that spends the grant."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.extensions import db
from tests.conftest import csrf_token
from tests.integration.children_helpers import make_child, person


@contextmanager
def counting(app):
    """Record each statement, and each BEGIN, sent while the block runs (on SQLite, the
    BEGINs as SQLite's own trace shows them: a unit of work begins its writer on the
    request's connection itself, which SQLAlchemy does not see)."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    traced = []

    def statement(_conn, _cursor, text, *_args):
        seen.append(text.split()[0].upper() + " " + text.replace("\n", " "))

    def begin(_conn):
        seen.append("BEGIN")

    def sqlite_begin(text):
        if text.upper().startswith("BEGIN"):
            seen.append("BEGIN")

    def checkout(dbapi_connection, _record, _proxy):
        dbapi_connection.set_trace_callback(sqlite_begin)
        traced.append(dbapi_connection)

    listeners = [("before_cursor_execute", statement), (
        ("checkout", checkout) if engine.dialect.name == "sqlite" else ("begin", begin))]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield seen
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
        for connection in traced:
            connection.set_trace_callback(None)


def _statements(seen):
    return [s for s in seen if s != "BEGIN" and not s.startswith("BEGIN ")]


@pytest.fixture
def viewer(app):
    client, user_id = person(app, "practitioner", "Hilltop School", "pat@hilltop.example")
    child_id = make_child(app, user_id)
    return client, child_id


def test_the_child_page_reads_the_session_and_user_once(app, viewer):
    client, child_id = viewer
    reason = client.post(f"/children/{child_id}/reason?page=record",
                         data={"category": "coordinating", "detail": "",
                               "csrf_token": csrf_token(client, "/")})
    assert reason.status_code == 302
    with counting(app) as seen:
        page = client.get(reason.location)
    assert page.status_code == 200
    statements = _statements(seen)
    sessions = [s for s in statements if "FROM user_sessions" in s]
    users = [s for s in statements if s.startswith("SELECT") and "FROM users" in s
             and "user_sessions" not in s]
    children = [s for s in statements if s.startswith("SELECT") and "FROM children" in s]
    assert len(sessions) == 1 and "JOIN users" in sessions[0]
    assert users == []  # the user came with the session, and is not loaded again
    assert len(children) == 1
    assert seen.count("BEGIN") <= 2  # one read, one write (the grant and its audit event)
    # session+user, the child with its identifiers, carers and services; then the grant
    # spent with its audit event (event, its queue entry, its detail, and its number)
    assert len(statements) <= 11, "\n".join(statements)
    assert not any(s.startswith("SELECT") and "pg_advisory" in s for s in statements)
