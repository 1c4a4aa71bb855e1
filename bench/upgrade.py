"""How long `flask db upgrade` takes from an older release, with a long audit trail
(issue 19). A git worktree of the older release (default ef36c60, schema 0013, the first
plan's) makes the database with that release's own code: `demo seed` of --children
children, then --events audit events appended to its hash chain by its own hashing (in
bulk, as a year of page views would have left them). Then this checkout's `db upgrade`,
`audit seal` (the history into the signed tree, which the consumer does once started) and
`audit verify` are timed on it.

    .venv/bin/python bench/upgrade.py [--children 200000] [--events 1000000] [--from REV]
                                      [--postgresql postgresql://postgres@127.0.0.1:5432/test]

Measured on this 2-core machine (README, "Running it for many settings", step 9):
PostgreSQL 15, 1,000,000 children and 1,000,000 events: upgrade 5.5 s, seal 79 s, verify
21 s; SQLite, 200,000 children and 1,000,000 events: 2.5 s, 49 s, 18 s (verify on an idle
machine; 33 and 28 s with a test suite beside it).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
import seeded

OLD_RELEASE = "ef36c60"  # the first plan's last schema, 0013_local_reference_owner

# Run inside the old release's worktree (sys.argv: worktree, events): its own audit code
# hashes each event onto the chain; rows go in by Core, 5,000 to a transaction.
HISTORY = r'''
import random, secrets, sys
from datetime import timedelta
sys.path.insert(0, sys.argv[1])
import sqlalchemy as sa
from wsgi import app
from app.core.clock import now
from app.extensions import db
from app.models import AuditDetail, AuditEvent, AuditHead
from app.services import audit, crypto

total, rng = int(sys.argv[2]), random.Random(5)
actions = ["child.viewed", "search.performed", "reason.stated", "child.named"]
with app.app_context():
    key = app.config["AUDIT_HMAC_KEY"]
    head = db.session.get(AuditHead, 1)
    seq, prev = head.last_seq, head.last_hash
    last = seq + total  # (head's columns reload after each commit)
    children = db.session.scalar(sa.text("SELECT max(id) FROM children")) or 1
    start = now() - timedelta(days=365)
    while seq < last:
        events, details = [], []
        for _ in range(min(5000, last - seq)):
            seq += 1
            body = audit.canonical({"words": f"reason {rng.randrange(10**6)}"}) \
                if seq % 3 == 0 else None
            salt = secrets.token_hex(16) if body else None
            event = AuditEvent(
                seq=seq, occurred_at=start + timedelta(seconds=seq * 30),
                action=rng.choice(actions), outcome="success", actor_user_id=1,
                on_behalf_of_user_id=None, organisation_id=1, subject_type="child",
                subject_id=None, child_id=rng.randrange(1, children + 1), ip="127.0.0.1",
                reason_category="safeguarding" if body else None, shielded=False,
                detail_digest=audit.detail_digest(salt, body) if body else None,
                prev_hash=prev)
            event.hash = audit.event_hash(event)
            event.hmac = crypto.keyed_digest(key, event.hash)
            prev = event.hash
            events.append({c.key: getattr(event, c.key) for c in AuditEvent.__table__.columns})
            if body:
                details.append({"event_seq": seq, "body": body, "salt": salt})
        db.session.execute(sa.insert(AuditEvent.__table__), events)
        if details:
            db.session.execute(sa.insert(AuditDetail.__table__), details)
        db.session.execute(sa.update(AuditHead.__table__).where(AuditHead.id == 1).values(
            last_seq=seq, last_hash=prev, hmac=audit._head_mac(seq, prev)))
        db.session.commit()
'''


def _old(worktree: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, *args], cwd=worktree, env=env, check=True,  # noqa: S603
                   capture_output=True)


def _database(postgresql: str | None, children: int) -> str:
    """A new, empty database for this run."""
    if postgresql:
        server = sa.create_engine(seeded.sqlalchemy_url(postgresql),
                                  isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(sa.text("DROP DATABASE IF EXISTS teamaround_bench_upgrade"))
            connection.execute(sa.text("CREATE DATABASE teamaround_bench_upgrade"))
        server.dispose()
        return str(sa.make_url(seeded.sqlalchemy_url(postgresql)).set(
            database="teamaround_bench_upgrade").render_as_string(hide_password=False))
    seeded.FOLDER.mkdir(parents=True, exist_ok=True)
    path = seeded.FOLDER / f"upgrade-{children}.sqlite"
    for old in seeded.FOLDER.glob(f"upgrade-{children}.sqlite*"):
        old.unlink()
    return f"sqlite:///{path}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--from", dest="release", default=OLD_RELEASE,
                        help="the older release's git revision")
    parser.add_argument("--postgresql", metavar="URL", help="a PostgreSQL server where the "
                        "bench may create its database teamaround_bench_upgrade")
    args = parser.parse_args()
    url = _database(args.postgresql, args.children)
    env = seeded.environment(url)
    worktree = Path(tempfile.mkdtemp(prefix="teamaround-old-")) / "release"
    subprocess.run(["git", "worktree", "add", "--detach", str(worktree), args.release],  # noqa: S603,S607
                   cwd=seeded.ROOT, check=True, capture_output=True)
    try:
        print(f"the older release ({args.release}) makes {args.children:,} children and "
              f"{args.events:,} audit events ...", flush=True)
        _old(worktree, env, "-m", "flask", "db", "upgrade")
        _old(worktree, env, "-m", "flask", "demo", "seed", "--children", str(args.children))
        _old(worktree, env, "-c", HISTORY, str(worktree), str(args.events))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)],  # noqa: S603,S607
                       cwd=seeded.ROOT, check=False, capture_output=True)
        shutil.rmtree(worktree.parent, ignore_errors=True)
    failed = False
    for step in (("db", "upgrade"), ("audit", "seal"), ("audit", "verify")):
        seconds, code, output = seeded.flask(env, *step)
        lines = [line for line in output.splitlines()
                 if step[0] != "db" or "Running upgrade" in line] or [""]
        last = lines[-1].split("Running upgrade ")[-1].partition(", ")[0]
        print(f"{' '.join(step):13} {seconds:7.1f} s  exit {code}  {last[:90]}", flush=True)
        failed = failed or code != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
