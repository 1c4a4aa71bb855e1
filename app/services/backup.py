"""Backups: a consistent copy taken while people work, checked, and restored so that
nothing from after the copy comes back to life.

SQLite: the online backup API copies a consistent snapshot (readers and the writer go on;
a plain file copy without its write-ahead log silently dropped committed events). The
audit log is sealed first and the copy's newest signed tree head is printed: keep it
somewhere else, and `backup verify PATH --against HEAD` proves later that the copy is
intact and holds exactly that history. PostgreSQL: `pg_dump -Fc`, checked by restoring it
into a scratch database (made and dropped beside the live one) and verifying its log there.

A restore ends every session (a cookie signed out after the copy was made would otherwise
work again) and voids every one-time link the copy holds unused (one used after the copy
would otherwise work a second time); links made after the copy are not in it at all."""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.pool import NullPool

from app.core.clock import now
from app.extensions import db
from app.models import AuditEvent, Invitation, SetupToken, User, UserSession
from app.services import audit, audit_tree, audit_verify
from app.services.transaction import atomic


class BackupError(Exception):
    """The backup could not be made, read or restored (one plain sentence)."""


@dataclass
class Made:
    """A backup just written."""

    path: Path
    bytes: int
    events: int
    head: audit_tree.Head | None


def _sqlite_file() -> Path | None:
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        return None
    if url.database in (None, "", ":memory:"):
        raise BackupError("An in-memory database cannot be backed up")
    return Path(url.database).resolve()


def _run(tool: str, *args: str) -> subprocess.CompletedProcess:
    """Run a PostgreSQL client tool (no shell; the arguments come from the configuration
    and the operator's own command line)."""
    found = shutil.which(tool)
    if found is None:
        raise BackupError(f"{tool} is missing: install PostgreSQL's client tools "
                          "(apt-get install postgresql-client)")
    return subprocess.run([found, *args], capture_output=True, text=True, check=False)  # noqa: S603


def _libpq_url() -> str:
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def create(path: Path) -> Made:
    """Write a consistent backup of the database to path (not over an existing file)."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} exists already: choose a new name")
    if not path.parent.is_dir():
        raise BackupError(f"There is no folder {path.parent}")
    audit_tree.seal_all()
    head = audit_tree.latest()
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) or 0
    db.session.rollback()
    source = _sqlite_file()
    partial = path.with_name(path.name + ".partial")
    if source is not None:
        with sqlite3.connect(source) as live, sqlite3.connect(partial) as copy:
            live.backup(copy)  # one step: a consistent snapshot, writers carry on
        copy.close()
        live.close()
    else:
        done = _run("pg_dump", "-Fc", "-f", str(partial), "--dbname", _libpq_url())
        if done.returncode:
            partial.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[:300]}")
    os.replace(partial, path)
    return Made(path, path.stat().st_size, events, head)


def verify(path: Path, against: audit_tree.Head | None = None) -> audit_verify.Verdict:
    """Open a backup on its own, check it is whole, and verify its audit log (against a
    head kept elsewhere, if given). Never touches the live database."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}")
    if _sqlite_file() is None:
        return _verify_dump(path, against)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "check.sqlite"
        shutil.copyfile(path, copy)
        try:
            with sqlite3.connect(copy) as conn:
                result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"Not a readable SQLite backup: {exc}") from exc
        if result != "ok":
            raise BackupError(f"The backup is damaged: {result}")
        return _verify_copy(copy, against)


def _verify_dump(path: Path, against) -> audit_verify.Verdict:
    """PostgreSQL: restore the dump into a scratch database beside the live one (made and
    dropped here: the database user needs CREATEDB) and verify its audit log there."""
    listed = _run("pg_restore", "--list", str(path))
    if listed.returncode:
        raise BackupError(f"Not a readable PostgreSQL backup: {listed.stderr.strip()[:200]}")
    name = f"teamaround_verify_{secrets.token_hex(6)}"
    admin = sa.create_engine(db.engine.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.DBAPIError as exc:
        admin.dispose()
        raise BackupError("Cannot make a scratch database to check the backup in (the "
                          "database user needs CREATEDB): "
                          f"{str(exc.orig).strip()[:200]}") from exc
    scratch = db.engine.url.set(database=name)
    try:
        done = _run("pg_restore", "--no-owner", "--exit-on-error", "--dbname",
                    scratch.set(drivername="postgresql").render_as_string(
                        hide_password=False), str(path))
        if done.returncode:
            raise BackupError(f"The backup does not restore: {done.stderr.strip()[:300]}")
        return _verify_copy(scratch.render_as_string(hide_password=False), against)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _verify_copy(copy: Path | str, against) -> audit_verify.Verdict:
    """Verify the audit log of a copy (a SQLite file, or a scratch database's URL) with
    this install's keys, from an app of its own."""
    from app import create_app

    config = {k: v for k, v in current_app.config.items() if k.isupper()}
    url = copy if isinstance(copy, str) else f"sqlite:///{copy}"
    checker = create_app({**config, "SQLALCHEMY_DATABASE_URI": url})
    with checker.app_context():
        try:
            return audit_verify.verify(against=against, workers=1)
        finally:
            db.session.remove()
            db.engine.dispose()


def restore(path: Path) -> dict[str, int]:
    """Put a backup in place of the database (stop the web workers and consumers first),
    then end every session and void every unused one-time link it holds."""
    path = Path(path)
    verdict = verify(path)
    if not verdict.ok:
        raise BackupError(f"The backup's audit log is broken: {verdict.problem}")
    target = _sqlite_file()
    db.session.remove()
    db.engine.dispose()
    if target is not None:
        for extra in ("-wal", "-shm"):
            Path(str(target) + extra).unlink(missing_ok=True)
        partial = target.with_name(target.name + ".restoring")
        shutil.copyfile(path, partial)
        os.replace(partial, target)
    else:
        done = _run("pg_restore", "--clean", "--if-exists", "--no-owner",
                    "--single-transaction", "--dbname", _libpq_url(), str(path))
        if done.returncode:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()[:300]}")
    return _after_restore()


@atomic
def _after_restore() -> dict[str, int]:
    moment = now()
    ended = db.session.execute(sa.update(UserSession).where(UserSession.revoked_at.is_(None))
                               .values(revoked_at=moment, revoked_reason="restored")
                               .execution_options(synchronize_session=False)).rowcount
    invitations = db.session.execute(sa.update(Invitation).where(Invitation.used_at.is_(None))
                                     .values(used_at=moment)
                                     .execution_options(synchronize_session=False)).rowcount
    setups = db.session.execute(sa.update(SetupToken).where(SetupToken.used_at.is_(None))
                                .values(used_at=moment)
                                .execution_options(synchronize_session=False)).rowcount
    resets = db.session.execute(sa.update(User).where(User.reenrol_token_hash.is_not(None))
                                .values(reenrol_token_hash=None, reenrol_expires_at=moment)
                                .execution_options(synchronize_session=False)).rowcount
    found = {"sessions_ended": ended, "invitations_voided": invitations,
             "setup_links_voided": setups, "authenticator_links_voided": resets}
    audit.record("backup.restored", detail=found)
    return found
