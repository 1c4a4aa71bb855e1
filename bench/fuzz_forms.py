"""A longer fuzz run of every form (the worlds of tests/integration/test_fuzz_forms.py) with
a random seed: prints requests sent, forms covered, answers by status, 5xx and stored bad
text, on SQLite and, with --postgresql URL (a test database: it is wiped), on PostgreSQL.
Exits 1 if any request gave a 5xx or any bad text was stored.

Usage: .venv/bin/python bench/fuzz_forms.py [--examples 50]
                                           [--postgresql postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from app import create_app
from app.extensions import db
from tests import conftest
from tests.fuzzing import stored_bad_text
from tests.integration.test_fuzz_forms import WORLDS, Run, fuzz


def _databases(args):
    """A fresh database for each world: (label, url) pairs."""
    for world in WORLDS:
        tmp = tempfile.mkdtemp()
        url = f"sqlite:///{tmp}/fuzz.sqlite"
        conftest._migrate(url)
        yield "SQLite", world, url
    if args.postgresql:
        conftest.TEST_DATABASE_URL = args.postgresql
        url = conftest._pg_url()
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
        conftest._migrate(url)
        for world in WORLDS:
            conftest._pg_reset(url)
            yield "PostgreSQL", world, url


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=50, help="per form")
    parser.add_argument("--postgresql", help="a PostgreSQL test database URL (wiped)")
    args = parser.parse_args()
    totals: dict[str, Run] = {}
    bad: list[str] = []
    elapsed: dict[str, float] = {}
    for label, world, url in _databases(args):
        started = time.perf_counter()
        app = create_app({**conftest.BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                          "SAR_SECOND_APPROVAL": False, "RATELIMIT_SIGN_IN": "100000 per minute",
                          "REASON_COVER_MINUTES": 0})
        run = totals.setdefault(label, Run())
        fuzz(app, WORLDS[world](app), examples=args.examples, derandomize=False, run=run)
        with app.app_context():
            bad += [f"{label}: {b}" for b in stored_bad_text()]
            db.engine.dispose()
        elapsed[label] = elapsed.get(label, 0) + time.perf_counter() - started
    failed = False
    for label, run in totals.items():
        errors = sum(n for status, n in run.statuses.items() if status >= 500)
        print(f"{label}: {run.sent} requests to {len(run.endpoints)} forms in "
              f"{elapsed[label]:.0f} s; 5xx: {errors}; "
              f"by status: {dict(sorted(run.statuses.items()))}")
        for failure in run.failures[:5]:
            print("  ", failure[:300])
        failed |= bool(errors or run.failures)
    print(f"stored text with control characters, overrides or U+FFFD: {len(bad)}")
    for line in bad[:10]:
        print("  ", line)
    return 1 if failed or bad else 0


if __name__ == "__main__":
    sys.exit(main())
