"""Backups (issue 19): taken while people work, checked on their own, restored so that
nothing from after the copy comes back to life."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Child, Organisation, Role, UserSession
from app.services import audit, enrolment
from app.services.transaction import atomic
from tests.conftest import csrf_token
from tests.integration.children_helpers import count, make_child, person


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def _rows(url_or_file, table: str) -> list[tuple]:
    """Every row of a table, in id order (to compare a restore with its backup)."""
    with sqlite3.connect(url_or_file) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


def test_a_backup_under_load_restores_identical_and_nothing_later_comes_back(
        sqlite_app, tmp_path):
    app = sqlite_app
    manager, manager_id = person(app, "admin", "County Council", "boss@county.example")
    for _ in range(3):
        make_child(app, manager_id)
    with app.app_context():
        council = db.session.scalar(sa.select(Organisation).where(
            Organisation.name == "County Council"))
        invitation = enrolment.invite(email="pat@riverside.example", name="Pat",
                                      role=Role.practitioner, organisation=council,
                                      invited_by=None)
        db.session.commit()
    stop = threading.Event()

    @atomic
    def note():
        audit.record("demo.noted")

    def keep_writing():  # people at work while the copy is taken
        with app.app_context():
            while not stop.is_set():
                note()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        made = _cli(app, "backup", "create", str(tmp_path / "copy.sqlite"))
    finally:
        stop.set()
        writer.join()
    assert made.exit_code == 0, made.output
    head = made.output.strip().splitlines()[-1]
    assert head.startswith("{") and '"tree_size"' in head
    checked = _cli(app, "backup", "verify", str(tmp_path / "copy.sqlite"), "--against", head)
    assert checked.exit_code == 0 and "Backup intact" in checked.output, checked.output
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    backed_up = {t: _rows(tmp_path / "copy.sqlite", t) for t in ("children", "audit_events")}
    # after the copy: more records, a sign-out, the invitation used
    make_child(app, manager_id)
    signed_out = manager.get_cookie("teamaround").value
    manager.post("/sign-out", data={"csrf_token": csrf_token(manager, "/")})
    pat = app.test_client()
    assert pat.get(f"/invitation/{invitation}").status_code == 302
    restored = _cli(app, "backup", "restore", str(tmp_path / "copy.sqlite"), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "Ended" in restored.output and "1 invitation" in restored.output
    assert _rows(database, "children") == backed_up["children"]  # identical data
    after = _rows(database, "audit_events")
    assert after[:len(backed_up["audit_events"])] == backed_up["audit_events"]
    assert [row[2] for row in after[len(backed_up["audit_events"]):]] == ["backup.restored"]
    assert _cli(app, "audit", "verify").exit_code == 0
    ghost = app.test_client()  # the cookie signed out after the copy stays dead
    ghost.set_cookie("teamaround", signed_out)
    assert ghost.get("/").status_code == 302
    with app.app_context():
        assert count(app, UserSession, UserSession.revoked_at.is_(None)) == 0
    assert app.test_client().get(f"/invitation/{invitation}").status_code == 404


def test_a_damaged_backup_is_refused_and_nothing_is_restored(sqlite_app, tmp_path):
    app = sqlite_app
    _, manager_id = person(app, "admin", "County Council", "boss@county.example")
    make_child(app, manager_id)
    copy = tmp_path / "copy.sqlite"
    assert _cli(app, "backup", "create", str(copy)).exit_code == 0
    data = bytearray(copy.read_bytes())
    for offset in range(len(data) // 2, len(data) // 2 + 4096):
        data[offset] ^= 0xFF
    copy.write_bytes(bytes(data))
    checked = _cli(app, "backup", "verify", str(copy))
    assert (checked.exit_code == 1 and "NOT usable" in checked.output + (checked.stderr or "")) \
        or "BROKEN" in checked.output
    restored = _cli(app, "backup", "restore", str(copy), "--yes")
    assert restored.exit_code == 1 and "Nothing was restored" in restored.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Child)) == 1
    assert _cli(app, "backup", "create", str(copy)).exit_code == 2  # never over a file


def test_an_old_backup_does_not_pass_against_a_later_head(sqlite_app, tmp_path):
    """The head kept outside proves which history a backup holds: checked against a head
    recorded later, an older copy fails."""
    app = sqlite_app
    _, manager_id = person(app, "admin", "County Council", "boss@county.example")
    copy = tmp_path / "copy.sqlite"
    assert _cli(app, "backup", "create", str(copy)).exit_code == 0
    make_child(app, manager_id)
    later = _cli(app, "audit", "head").output.strip()
    checked = _cli(app, "backup", "verify", str(copy), "--against", later)
    assert checked.exit_code == 1


def test_postgresql_backups_are_made_with_pg_dump(app, tmp_path):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite's backups are the tests above")
    _, manager_id = person(app, "admin", "County Council", "boss@county.example")
    make_child(app, manager_id)
    dump = tmp_path / "copy.dump"
    made = _cli(app, "backup", "create", str(dump))
    assert made.exit_code == 0, made.output
    assert dump.read_bytes()[:5] == b"PGDMP"
    checked = _cli(app, "backup", "verify", str(dump))
    assert checked.exit_code == 0 and "Backup intact" in checked.output, checked.output
    with app.app_context():
        events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    restored = _cli(app, "backup", "restore", str(dump), "--yes")
    assert restored.exit_code == 0, restored.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == \
            events + 1  # and the restore's own event


def test_a_postgresql_backup_is_verified_in_a_scratch_database(app, tmp_path):
    """pg_restore --list only proved the dump could be read: a backup of a tampered log
    passed. Now it is restored into a scratch database (dropped after) and its log verified
    there, against a head kept apart too."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite's backups are the tests above")
    _, manager_id = person(app, "admin", "County Council", "boss@county.example")
    make_child(app, manager_id)
    dump, bad = tmp_path / "copy.dump", tmp_path / "tampered.dump"
    assert _cli(app, "backup", "create", str(dump)).exit_code == 0
    later = _cli(app, "audit", "head").output.strip()
    make_child(app, manager_id)
    newer = _cli(app, "audit", "head").output.strip()
    assert _cli(app, "backup", "verify", str(dump), "--against", later).exit_code == 0
    assert _cli(app, "backup", "verify", str(dump), "--against", newer).exit_code == 1
    with app.app_context():
        conn = db.session.connection()
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.exec_driver_sql("UPDATE audit_events SET action = 'x' WHERE seq = "
                             "(SELECT min(seq) FROM audit_events)")
        db.session.commit()
    assert _cli(app, "backup", "create", str(bad)).exit_code == 0
    checked = _cli(app, "backup", "verify", str(bad))
    assert checked.exit_code == 1 and "BROKEN" in checked.output, checked.output
    with app.app_context():
        assert not db.session.scalar(sa.text(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'teamaround_verify_%'"))


def test_a_backup_warns_when_the_keys_sit_with_the_data(sqlite_app, tmp_path):
    """One copy of a folder holding the database and AUDIT_HMAC_KEY lets whoever has it
    rewrite the audit trail undetected: `backup create` says so when it finds them there."""
    app = sqlite_app
    quiet = _cli(app, "backup", "create", str(tmp_path / "first.sqlite"))
    assert quiet.exit_code == 0 and "WARNING" not in quiet.output
    (tmp_path / "audit_hmac_key").write_text("kept in the wrong place")  # beside only.sqlite
    warned = _cli(app, "backup", "create", str(tmp_path / "second.sqlite"))
    assert warned.exit_code == 0
    assert "WARNING: keys sit with the data" in warned.output and "audit_hmac_key" in \
        warned.output
