"""The benchmarks' own databases: a directory of --children made-up children is seeded once
(kept as DIR/seed-N.sqlite for later runs) with the benchmarks' keys, and each run works
on a fresh copy of it. A bench never writes into a database it did not seed, and never
with another key (so `audit verify` on a copy passes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {"SECRET_KEY": "bench", "AUDIT_HMAC_KEY": "bench", "TOTP_ENCRYPTION_KEY": "bench"}
FOLDER = Path(tempfile.gettempdir()) / "teamaround-bench"


def environment(database: Path, jobs: Path | None = None, **extra: str) -> dict[str, str]:
    """What a process of the app on a bench database needs: the database and the keys."""
    return {**os.environ, **SECRETS, "DATABASE_URL": f"sqlite:///{database}",
            "JOBS_DATABASE": str(jobs or database.with_suffix(".jobs.sqlite")),
            "FLASK_APP": "wsgi", **extra}


def seed(children: int, folder: Path = FOLDER) -> Path:
    """The seeded directory (made once: migrate, then `flask demo seed`)."""
    folder.mkdir(parents=True, exist_ok=True)
    seeded = folder / f"seed-{children}.sqlite"
    if not seeded.exists():
        partial = seeded.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        env = environment(partial, folder / "seed-jobs.sqlite")
        print(f"seeding {children:,} children (once; kept in {seeded}) ...", flush=True)
        subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env,
                       check=True, capture_output=True)
        subprocess.run([sys.executable, "-m", "flask", "demo", "seed",  # noqa: S603 - our CLI
                        "--children", str(children)], cwd=ROOT, env=env, check=True)
        partial.rename(seeded)
    return seeded


def work_copy(children: int, name: str, folder: Path = FOLDER) -> Path:
    """A fresh copy of the seeded directory for one run (its old copy and WAL removed)."""
    work = folder / f"{name}.sqlite"
    for path in (work, Path(f"{work}-wal"), Path(f"{work}-shm"), work.with_suffix(".jobs.sqlite")):
        path.unlink(missing_ok=True)
    shutil.copy(seed(children, folder), work)
    return work
