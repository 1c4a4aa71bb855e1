"""The restore test: back up while signed-in people write, keep writing, destroy the
database, restore the backup, and check what came back.

People loop as in bench/crash.py (a reason, then the page it grants). `flask backup create`
runs in the middle of it; writing goes on for a few seconds more; the server stops; the
database is destroyed (SQLite: the file and its log deleted; PostgreSQL: its schema
dropped); `flask backup restore --yes` puts the backup back. Checks:

- `backup verify --against` the head `backup create` printed, and `audit verify` after;
- every reason acknowledged before the backup began is back; none acknowledged after it
  ended is;
- SQLite: every table is identical to the backup file, row for row, but for what the
  restore itself changes (sessions ended, one-time links voided, its own audit event);
- a session signed in before the restore is signed out after it.

Prints each step's time and the backup's size.

Usage:
    .venv/bin/python bench/restore.py [--children 20000] [--people 4] [--postgresql URL]
"""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench import seeded  # noqa: E402
from bench.crash import _Person  # noqa: E402
from bench.load import _NoRedirect, _people, _picks, _served, _sign_in  # noqa: E402

PORT = 8754
# What a restore changes on purpose: sessions ended, one-time links voided, its audit event
CHANGED_BY_RESTORE = {"user_sessions", "invitations", "setup_tokens", "users",
                      "audit_events", "audit_details", "audit_unsealed"}


def _digests(path: Path) -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of its rows in rowid order."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        found = {}
        for table in tables:
            digest, count = hashlib.sha256(), 0
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):  # noqa: S608
                digest.update(repr(row).encode())
                count += 1
            found[table] = (count, digest.hexdigest())
        return found
    finally:
        conn.close()


def _events_upto(path: Path, seq: int) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT * FROM audit_events WHERE seq <= ? ORDER BY seq", (seq,))
        return hashlib.sha256(repr(rows.fetchall()).encode()).hexdigest()
    finally:
        conn.close()


def _destroy(url: str) -> None:
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    engine = sa.create_engine(seeded.sqlalchemy_url(url))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def _signed_in(base: str, cookie: str) -> bool:
    try:
        urllib.request.build_opener(_NoRedirect).open(urllib.request.Request(  # noqa: S310
            base + "/", headers={"Cookie": cookie}), timeout=10)
        return True
    except urllib.error.HTTPError as moved:
        return "/sign-in" not in (moved.headers.get("Location") or "")


def main() -> None:
    """Run the restore test and print what it found; exits 1 if a check fails."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=4)
    seeded.database_arguments(parser, children=20_000)
    args = parser.parse_args()

    url = seeded.work_url(args.children, "restore", args.postgresql)
    app = seeded.app_on(url)
    people, picks = _people(app, args.people), _picks(app, 500)
    env = seeded.served_environment(url, PORT, REASON_COVER_MINUTES="0", LOG_FORMAT="text")
    saved = seeded.FOLDER / ("restore.dump" if args.postgresql else "restore-backup.sqlite")
    saved.unlink(missing_ok=True)
    stop = threading.Event()
    with _served("wsgi:app", env, PORT, 2, 1) as (base, _):
        threads = [_Person(n, base, *_sign_in(base, email, secret), picks, stop)
                   for n, (email, secret) in enumerate(people)]
        for thread in threads:
            thread.start()
        time.sleep(4)
        before = {w for t in threads for w in list(t.reasons)}
        backup_s, code, made = seeded.flask(env, "backup", "create", str(saved))
        if code:
            raise SystemExit(f"backup create failed: {made}")
        marks = {t.n: len(t.reasons) for t in threads}
        time.sleep(3)  # writes after the backup: gone once it is restored
        stop.set()
        for thread in threads:
            thread.join(60)
        cookie = threads[0].cookie
    after = {w for t in threads for w in t.reasons[marks[t.n]:]}
    head = made[made.index("{"):] if "{" in made else None
    live_events = None
    if not args.postgresql:
        live_events = sqlite3.connect(saved).execute(
            "SELECT max(seq) FROM audit_events").fetchone()[0]
        kept = _digests(saved)
    _destroy(url)
    verify_s, verify_code, verified = seeded.flask(env, "backup", "verify", str(saved),
                                             *(["--against", head] if head else []))
    restore_s, restore_code, restored = seeded.flask(env, "backup", "restore", str(saved), "--yes")
    audit_s, audit_code, audited = seeded.flask(env, "audit", "verify")
    with app.app_context():
        from app.extensions import db
        from app.models import AccessGrant
        db.engine.dispose()
        back = set(db.session.scalars(sa.select(AccessGrant.reason_text).where(
            AccessGrant.reason_text.like("crash test %"))))
        db.session.remove()
        db.engine.dispose()
    checks = {
        "backup verify --against its head": verify_code == 0,
        "restore succeeded": restore_code == 0,
        "audit verify after the restore": audit_code == 0 and "intact" in audited,
        "every reason acknowledged before the backup is back": before <= back,
        "no reason acknowledged after the backup is": not (after & back),
    }
    if not args.postgresql:
        now = _digests(Path(url.removeprefix("sqlite:///")))
        checks["every other table identical to the backup"] = all(
            now.get(t) == kept[t] for t in kept if t not in CHANGED_BY_RESTORE)
        checks["the backup's audit events unchanged"] = _events_upto(
            saved, live_events) == _events_upto(Path(url.removeprefix("sqlite:///")),
                                                live_events)
    with _served("wsgi:app", env, PORT, 1, 1) as (base, _):
        checks["a session from before the restore is signed out"] = not _signed_in(
            base, cookie)
    print(f"restore test: {'PostgreSQL' if args.postgresql else 'SQLite'}, "
          f"{args.children:,} children, {len(threads)} people writing")
    print(f"  backup create under load: {backup_s:.1f} s, {saved.stat().st_size / 1e6:.1f} MB "
          f"({len(before):,} reasons acknowledged before it, {len(after):,} after)")
    print(f"  backup verify: {verify_s:.1f} s: {verified.splitlines()[-1]}")
    print(f"  restore: {restore_s:.1f} s: {restored.splitlines()[-1][:150]}")
    print(f"  audit verify: {audit_s:.1f} s: {audited.splitlines()[-1]}")
    for name, held in checks.items():
        print(f"  [{'ok' if held else 'FAILED'}] {name}")
    saved.unlink(missing_ok=True)
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
