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
    """Record each statement, and each BEGIN, sent while the block runs."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def statement(_conn, _cursor, text, *_args):
        seen.append(text.split()[0].upper() + " " + text.replace("\n", " "))

    def begin(_conn):
        seen.append("BEGIN")

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "begin", begin)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "begin", begin)


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


def test_a_search_reads_before_it_takes_the_write_lock(app, viewer):
    """Found under load (issue 16): a search ran its query inside the unit of work that
    writes its audit event, so it held SQLite's write lock, shutting out every other writer,
    for as long as the query ran (1.8 ms of a cycle's 3.5 ms under the lock). The query now
    runs in the request's read; only the audit event is written under the lock."""
    client, _ = viewer
    token = csrf_token(client, "/")
    with counting(app) as seen:
        found = client.post("/search", data={"family_name": "Smith",
                                             "date_of_birth": ["1", "2", "2015"]},
                            headers={"HX-Request": "true", "X-CSRFToken": token})
    assert found.status_code == 200
    query = next(i for i, s in enumerate(seen) if s.startswith("SELECT")
                 and "FROM children" in s)
    audit_insert = next(i for i, s in enumerate(seen) if "INSERT INTO audit_events" in s)
    assert query < audit_insert
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # the read's transaction, then the writer's (IMMEDIATE: test_jobs.py): the query
        # in the first, the audit event in the second
        begins = [i for i, s in enumerate(seen) if s == "BEGIN"]
        assert len(begins) == 2 and begins[0] < query < begins[1] < audit_insert, \
            "\n".join(seen)
