"""Benchmark the audit chain: appends per second (one per transaction) and verify speed.

Usage:  .venv/bin/python bench/audit_chain.py [--events N] [--database-url URL]
Uses a throw-away SQLite file unless --database-url is given (that database is migrated,
and gains N events: never point it at a live install).
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
from app.services import audit


def main() -> None:
    """Append events, then verify the chain, printing rates."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{tmp.name}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "AUDIT_HMAC_KEY": "bench", "TOTP_ENCRYPTION_KEY": "bench"})
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        for n in range(args.events):
            audit.record("bench.event", actor_user_id=n % 50, detail={"term": f"Smith {n}"})
            db.session.commit()
        append = time.perf_counter() - start
        start = time.perf_counter()
        verdict = audit.verify()
        check = time.perf_counter() - start
    print(f"database: {url.split(':')[0]}")
    print(f"append: {args.events} events in {append:.2f} s = {args.events / append:,.0f}/s "
          "(one transaction each)")
    print(f"verify: {verdict.events} events in {check:.2f} s = {verdict.events / check:,.0f}/s; "
          f"intact={verdict.ok}")


if __name__ == "__main__":
    main()
