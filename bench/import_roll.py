"""Benchmark the import end to end: a school roll of --rows pupils uploaded through the portal
into a directory already holding --children children (SQLite), checked and applied by a
real `flask jobs run` consumer, while a signed-in practitioner keeps opening child pages.

Usage:
    .venv/bin/python bench/import_roll.py [--rows 100000] [--children 200000] [--dir DIR]

The bench seeds its own database once (DIR/seed-N.sqlite, kept for the next run) and works
on a copy, so it never writes into a database it did not make. It prints the rows per
second of the check and of the apply, the consumer's peak memory, and the p95 of a child
page (reason, then the page with its audit write) idle and during the import, beside a
baseline: the same rows inserted with bare SQLAlchemy Core (no checks, no matching, no
audit) into a scratch table in the same run.
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Child, ImportJob, ImportStatus, Role  # noqa: E402
from bench import seeded  # noqa: E402
from bench.search_and_view import _client, _user  # noqa: E402
from tests.rolls import roll  # noqa: E402


def _baseline(folder: Path, content: bytes) -> float:
    """Rows per second for bare Core inserts of the parsed rows, 200 per transaction."""
    import csv
    import io

    scratch = folder / "baseline.sqlite"
    scratch.unlink(missing_ok=True)
    engine = sa.create_engine(f"sqlite:///{scratch}")
    meta = sa.MetaData()
    table = sa.Table("pupils", meta, sa.Column("id", sa.Integer, primary_key=True),
                     *(sa.Column(f"c{i}", sa.Text) for i in range(12)))
    meta.create_all(engine)
    began = time.perf_counter()
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]
    for start in range(0, len(rows), 200):
        with engine.begin() as conn:
            conn.execute(table.insert(), [{f"c{i}": v for i, v in enumerate(r)}
                                          for r in rows[start:start + 200]])
    rate = len(rows) / (time.perf_counter() - began)
    engine.dispose()
    scratch.unlink()
    return rate


_waited = [0.0]  # seconds this process's writers waited for their turn, in all


def _time_turns() -> None:
    """Count how long the pages' writes wait for the write lock (the rest of a page's time
    is its own work, slowed by what else the machine does)."""
    from contextlib import contextmanager

    from app import database

    taken = database._turns.taken

    @contextmanager
    def timed(path):
        began = time.perf_counter()
        with taken(path):
            _waited[0] += time.perf_counter() - began
            yield

    database._turns.taken = timed


def _page(client, token, child_id) -> tuple[float, float]:
    """A child page's time and how much of it its writes waited for the lock, in ms."""
    began, waited = time.perf_counter(), _waited[0]
    reason = client.post(f"/children/{child_id}/reason?page=record",
                         data={"category": "coordinating", "csrf_token": token})
    page = client.get(reason.location)
    assert page.status_code == 200, page.status_code
    return (time.perf_counter() - began) * 1000, (_waited[0] - waited) * 1000


PAUSE = 0.05  # between a practitioner's pages, idle and during the import


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _peak_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def _memory_now(pid: int, seen: dict[int, float]) -> float:
    """The consumer's and its helper processes' memory now, in all (the helpers check a big
    file's rows, then plan its batches); notes each helper's peak in seen."""
    try:
        children = {int(child) for task in Path(f"/proc/{pid}/task").iterdir()
                    for child in (task / "children").read_text().split()}
        now = _rss_mb(pid)
        for child in children:
            seen[child] = max(seen.get(child, 0.0), _peak_mb(child))
            now += _rss_mb(child)
        return now
    except (FileNotFoundError, ProcessLookupError, AttributeError):
        return 0.0  # a helper that ended between the reads


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--dir", type=Path,
                        default=seeded.FOLDER)
    parser.add_argument("--profile", metavar="FILE",
                        help="record the consumer with py-spy during the import (collapsed "
                             "stacks; pip install py-spy)")
    args = parser.parse_args()
    work = seeded.work_copy(args.children, "import-work", args.dir)
    jobs = work.with_suffix(".jobs.sqlite")
    app = create_app({**seeded.SECRETS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work}",
                      "JOBS_DATABASE": str(jobs), "SESSION_COOKIE_SECURE": False,
                      "SESSION_COOKIE_NAME": "bench", "WTF_CSRF_SSL_STRICT": False,
                      "RATELIMIT_ENABLED": False, "IMPORT_MAX_BYTES": 64 * 1024 * 1024})
    logging.getLogger("teamaround.requests").setLevel(logging.WARNING)  # a line per page
    content = roll(args.rows, start=10_000_000)
    baseline = _baseline(args.dir, content)
    importer = _user(app, Role.data_entry, "Bench School", "bench.importer@example.org")
    looker = _user(app, Role.practitioner, "Bench Practice", "bench.practitioner@example.org")
    upload_client, upload_token = _client(app, "bench.importer@example.org", importer)
    client, token = _client(app, "bench.practitioner@example.org", looker)
    with app.app_context():
        top = db.session.scalar(sa.select(sa.func.max(Child.id)))
    rng = random.Random(5)
    _time_turns()

    def status(job_id: int) -> ImportStatus | None:
        with app.app_context():
            return db.session.scalar(sa.select(ImportJob.status).where(ImportJob.id == job_id))

    def paced_page() -> tuple[float, float]:
        """A page as a practitioner opens them while waiting: a pause, then the page. On
        this machine's virtual CPUs a page after a pause took half again as long as one
        straight after another, with nothing else running, so idle and during the import
        are both measured this way (and back to back idle, for comparison)."""
        time.sleep(PAUSE)
        return _page(client, token, rng.randrange(1, top + 1))

    back_to_back = [_page(client, token, rng.randrange(1, top + 1)) for _ in range(150)]
    idle = [(status(0), paced_page())[1] for _ in range(200)]

    log = (args.dir / "consumer.log").open("w")
    consumer = subprocess.Popen([sys.executable, "-m", "flask", "jobs", "run", "--workers",
                                 "1"], cwd=ROOT, stdout=log, stderr=log,
                                env=seeded.environment(f"sqlite:///{work}",
                                                       JOBS_DATABASE=str(jobs)))
    spy = subprocess.Popen(  # noqa: S603 - py-spy on our own consumer
        [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(consumer.pid),
         "--nonblocking", "--idle", "--rate", "100", "--format", "raw",
         "--output", args.profile],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if args.profile else None
    try:
        import io

        began = time.perf_counter()
        response = upload_client.post("/imports/", data={
            "csrf_token": upload_token, "upload": (io.BytesIO(content), "roll.csv")},
            content_type="multipart/form-data")
        assert response.status_code == 302, response.status_code
        job_id = int(response.location.rsplit("/", 1)[1])
        during, marks, helpers, together = [], {}, {}, {}

        while (state := status(job_id)) != ImportStatus.applied:
            if state == ImportStatus.failed or consumer.poll() is not None:
                raise SystemExit(f"the import failed: see {args.dir / 'consumer.log'}")
            if state == ImportStatus.previewed and "checked" not in marks:
                marks["checked"] = time.perf_counter()
                upload_client.post(f"/imports/{job_id}/confirm",
                                   data={"csrf_token": upload_token})
            during.append((state, paced_page()))
            phase = "check" if state == ImportStatus.checking else "apply"
            together[phase] = max(together.get(phase, 0.0), _memory_now(consumer.pid, helpers))
        done = time.perf_counter()
        peak = _peak_mb(consumer.pid)
    finally:
        if spy:
            spy.send_signal(signal.SIGINT)  # py-spy writes its stacks and stops
            spy.wait(60)
        consumer.terminate()
        consumer.wait(30)
    with app.app_context():
        added = db.session.scalar(sa.select(sa.func.count()).select_from(Child)) - top
    check_s, apply_s = marks["checked"] - began, done - marks["checked"]
    print(f"import of {args.rows:,} rows into {args.children:,} children (SQLite, 1 worker)")
    print(f"  check (read, validate, match): {check_s:6.1f} s  {args.rows / check_s:8,.0f} rows/s")
    print(f"  apply (create, audit):         {apply_s:6.1f} s  {args.rows / apply_s:8,.0f} rows/s")
    print(f"  end to end:                    {check_s + apply_s:6.1f} s  "
          f"{args.rows / (check_s + apply_s):8,.0f} rows/s   ({added:,} children added)")
    print(f"  baseline, bare Core insert:    {args.rows / baseline:6.1f} s  "
          f"{baseline:8,.0f} rows/s")
    print(f"  consumer peak memory:          {peak:6.0f} MB (its {len(helpers)} helper "
          f"process(es): {', '.join(f'{mb:.0f}' for mb in helpers.values())} MB; together, "
          f"sampled: {together.get('check', 0):.0f} MB at most during the check, "
          f"{together.get('apply', 0):.0f} during the apply)")
    idle_times = [ms for ms, _ in idle]
    print(f"  child page p95 idle {_p95(idle_times):6.1f} ms (p50 "
          f"{statistics.median(idle_times):.1f}, {PAUSE * 1000:.0f} ms apart; back to back "
          f"p95 {_p95([ms for ms, _ in back_to_back]):.1f}, p50 "
          f"{statistics.median(ms for ms, _ in back_to_back):.1f})")
    for label, states in (("during the check", {ImportStatus.checking}),
                          ("during the apply", {ImportStatus.previewed, ImportStatus.applying}),
                          ("during the import", set(ImportStatus))):
        times = [ms for state, (ms, _) in during if state in states]
        waits = [waited for state, (_, waited) in during if state in states]
        print(f"  child page p95 {label:17} {_p95(times):6.1f} ms (p50 "
              f"{statistics.median(times):.1f}, n={len(times)}): "
              f"{_p95(times) / _p95(idle_times):.1f}x idle; waiting for the write lock "
              f"p50 {statistics.median(waits):.1f}, p95 {_p95(waits):.1f} ms")

if __name__ == "__main__":
    main()
