"""Benchmark the audit log: appends (one per transaction, and in batches), sealing into the
Merkle tree, and `audit verify` in one process and in parallel.

Usage:  .venv/bin/python bench/audit_chain.py [--events N] [--single N] [--database-url URL]
Uses a throw-away SQLite file unless --database-url is given (that database is migrated,
and gains the events: never point it at a live install; use a scratch PostgreSQL database).
The issue's target: 1,000,000 events verified in under 10 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.services import audit, audit_tree, audit_verify
from bench import seeded

BATCH = 5000


def main() -> None:
    """Append events, seal them, verify the log, printing rates."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000, help="appended in batches")
    parser.add_argument("--single", type=int, default=2000, help="appended one a transaction")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = seeded.sqlalchemy_url(args.database_url or f"sqlite:///{tmp.name}/bench.sqlite")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "AUDIT_HMAC_KEY": "bench", "AUDIT_SIGNING_KEY": "bench",
                      "TOTP_ENCRYPTION_KEY": "bench"})
    rows = []
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        for n in range(args.single):
            audit.record("bench.event", actor_user_id=n % 50, detail={"term": f"Smith {n}"})
            db.session.commit()
        single = time.perf_counter() - start
        rows.append(("append, one event a transaction", args.single, single))
        start = time.perf_counter()
        for first in range(0, args.events, BATCH):
            audit.record_many([
                dict(action="child.viewed", actor_user_id=n % 50, organisation_id=1,
                     child_id=n % 9973, reason_category="assessment",
                     detail={"term": f"Smith {n}"} if n % 3 == 0 else None)
                for n in range(first, min(args.events, first + BATCH))])
            db.session.commit()
        rows.append(("append, in batches of 5,000", args.events, time.perf_counter() - start))
        start = time.perf_counter()
        sealed = audit_tree.seal_all()
        rows.append(("seal into the tree (batches of 20,000, signed)", sealed,
                     time.perf_counter() - start))
        for workers in (1, 2):
            start = time.perf_counter()
            verdict = audit_verify.verify(workers=workers)
            took = time.perf_counter() - start
            rows.append((f"verify, {workers} process{'es' if workers > 1 else ''} "
                         f"(intact={verdict.ok})", verdict.events, took))
    print(f"database: {url.split(':')[0]}\n")
    print("| step | events | seconds | events/s |\n|---|---:|---:|---:|")
    for name, count, seconds in rows:
        print(f"| {name} | {count:,} | {seconds:.2f} | {count / seconds:,.0f} |")


if __name__ == "__main__":
    main()
