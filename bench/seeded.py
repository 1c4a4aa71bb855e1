"""The benchmarks' own databases: a directory of --children made-up children is seeded once
with the benchmarks' keys (SQLite: DIR/seed-N.sqlite; PostgreSQL: a database
teamaround_bench_seed_N that the bench creates on the server it is given), and each run
works on a fresh copy (a file copy; CREATE DATABASE ... TEMPLATE). A bench never writes
into a database it did not make, and never with another key (so `audit verify` on a copy
passes)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {"SECRET_KEY": "bench", "AUDIT_HMAC_KEY": "bench", "AUDIT_SIGNING_KEY": "bench",
           "TOTP_ENCRYPTION_KEY": "bench"}
FOLDER = Path(tempfile.gettempdir()) / "teamaround-bench"


def sqlalchemy_url(url: str) -> str:
    """The URL as SQLAlchemy takes it (psycopg 3 for PostgreSQL)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def environment(database: str, **extra: str) -> dict[str, str]:
    """What a process of the app on a bench database needs: the database and the keys."""
    jobs = FOLDER / f"jobs-{hashlib.sha256(database.encode()).hexdigest()[:12]}.sqlite"
    return {**os.environ, **SECRETS, "DATABASE_URL": database, "JOBS_DATABASE": str(jobs),
            "TEAMAROUND_PER_PROCESS_LIMITS": "1",  # one machine; gunicorn.conf.py asks
            "FLASK_APP": "wsgi", **extra}


def _flask(database: str, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", *args],  # noqa: S603 - our own CLI
                   cwd=ROOT, env=environment(database), check=True,
                   capture_output=args[0] == "db")


def _seed_into(database: str, children: int) -> None:
    print(f"seeding {children:,} children (once; kept for later runs) ...", flush=True)
    _flask(database, "db", "upgrade")
    _flask(database, "demo", "seed", "--children", str(children))


def work_copy(children: int, name: str, folder: Path = FOLDER) -> Path:
    """A fresh SQLite copy of the seeded directory for one run."""
    folder.mkdir(parents=True, exist_ok=True)
    seeded = folder / f"seed-{children}.sqlite"
    if not seeded.exists():
        partial = seeded.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        _seed_into(f"sqlite:///{partial}", children)
        partial.rename(seeded)
    work = folder / f"{name}.sqlite"
    for path in (work, Path(f"{work}-wal"), Path(f"{work}-shm"), work.with_suffix(".jobs.sqlite")):
        path.unlink(missing_ok=True)
    shutil.copy(seeded, work)
    _flask(f"sqlite:///{work}", "db", "upgrade")  # a seed kept from an older schema catches up
    return work


def pg_work_copy(server: str, children: int, name: str) -> str:
    """A fresh PostgreSQL database copied from the seeded one, on the server at `server`
    (any database URL there; the bench creates and drops only teamaround_bench_*)."""
    admin = sa.make_url(sqlalchemy_url(server))
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    seed_db, work_db = f"teamaround_bench_seed_{children}", f"teamaround_bench_{name}"
    with engine.connect() as conn:
        have = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                           {"n": seed_db})
        if not have:
            conn.exec_driver_sql(f'CREATE DATABASE "{seed_db}_partial"')
            _seed_into(admin.set(database=f"{seed_db}_partial").render_as_string(False),
                       children)
            conn.exec_driver_sql(f'ALTER DATABASE "{seed_db}_partial" RENAME TO "{seed_db}"')
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{work_db}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{work_db}" TEMPLATE "{seed_db}"')
    engine.dispose()
    work = admin.set(database=work_db).render_as_string(False)
    _flask(work, "db", "upgrade")  # a seed kept from an older schema catches up
    return work


def work_url(children: int, name: str, postgresql: str | None = None) -> str:
    """A fresh copy of the seeded directory for one run of the bench `name`: the URL of a
    SQLite file, or of a database on the PostgreSQL server given."""
    return (pg_work_copy(postgresql, children, name) if postgresql
            else f"sqlite:///{work_copy(children, f'{name}-work')}")


def app_on(url: str):
    """The app on a bench database, with the benches' keys."""
    from app import create_app

    return create_app({**SECRETS, "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url),
                       "JOBS_DATABASE": environment(url)["JOBS_DATABASE"]})


def served_environment(url: str, port: int, **extra: str) -> dict[str, str]:
    """What gunicorn serving a bench database on a loopback port needs (plain HTTP, sign-in
    limits out of the way of a bench's people)."""
    return environment(url, TEAMAROUND_PLAIN_HTTP="1", PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
                       RATELIMIT_SIGN_IN="100000 per minute", **extra)


def database_arguments(parser, children: int) -> None:
    """The options every bench on a seeded copy takes: its size and where it lives."""
    parser.add_argument("--children", type=int, default=children)
    parser.add_argument("--postgresql", metavar="URL",
                        help="a PostgreSQL server (any database URL on it) where the bench "
                             "may create its own databases, teamaround_bench_*")


def flask(env: dict[str, str], *args: str) -> tuple[float, int, str]:
    """Run one of our commands on a bench database: (seconds, exit code, what it printed)."""
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flask", *args],  # noqa: S603 - our own CLI
                          cwd=ROOT, env=env, capture_output=True, text=True)
    return time.perf_counter() - began, done.returncode, (done.stdout + done.stderr).strip()
