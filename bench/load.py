"""Load test: signed-in people looping search -> reason -> child page against the app under
gunicorn, then the same cycle against a bare-Flask baseline (bench/baseline_app.py) doing
the same indexed SELECTs on the same data under the same gunicorn settings, back to back;
single-request latencies of both; afterwards the audit events must equal the pages served
and `flask audit verify` must pass. Prints a markdown table, each figure beside its
baseline. On SQLite, or with --postgresql on a PostgreSQL server (the bench seeds its own
copy either way; see bench/seeded.py).

Usage:
    .venv/bin/python bench/load.py [--children 200000] [--duration 30] [--people 32]
                                   [--workers 2] [--threads 4] [--postgresql URL]
Needs wrk (`apt-get install wrk`; `make bench` installs it).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyotp  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench import seeded  # noqa: E402
from bench.search_and_view import PASSWORD, _user  # noqa: E402

LUA = Path(__file__).resolve().parent / "load.lua"
BIN = Path(sys.executable).parent
WRK = shutil.which("wrk") or "/usr/bin/wrk"


def _workers(master: int) -> list[str]:
    return subprocess.run(["pgrep", "-P", str(master)],  # noqa: S603,S607 - fixed
                          capture_output=True, text=True).stdout.split()


def _cpu_seconds(master: int) -> float:
    """CPU time (user and system) the workers of a gunicorn master have used so far: per
    cycle, a figure the machine's other load moves less than the cycles per second."""
    ticks = 0
    for pid in _workers(master):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def _rss_mb(master: int) -> list[float]:
    """Resident memory (MB) of each worker of a gunicorn master."""
    sizes = []
    for pid in _workers(master):
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return sizes


@contextmanager
def _consumer(env: dict):
    """The job queue's consumer beside the app, as `make run` starts it: its sequencer seals
    the audit events the load writes, about every second."""
    process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [str(BIN / "flask"), "jobs", "run", "--workers", "1"], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        process.terminate()
        process.wait(30)


@contextmanager
def _served(module: str, env: dict, port: int, workers: int, threads: int):
    server = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
        [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--timeout", "120", module], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/livez", timeout=2).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(30)


def _sign_in(base: str, email: str, secret: str) -> tuple[str, str]:
    """Sign in through the real forms; returns (Cookie header, CSRF token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def token(path):
        html = opener.open(base + path).read().decode()
        return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)

    def post(path, fields):
        data = urllib.parse.urlencode({**fields, "csrf_token": token(path)}).encode()
        return opener.open(base + path, data=data).read()

    post("/sign-in", {"email": email, "password": PASSWORD})
    post("/sign-in/code", {"code": pyotp.TOTP(secret).now()})
    csrf = token("/")
    return "; ".join(f"{c.name}={c.value}" for c in jar), csrf


def _people(app, count: int) -> list[tuple[str, str]]:
    from app.models import Role
    return [(f"load{n}@bench.example", _user(app, Role.practitioner, "Bench Practice",
                                             f"load{n}@bench.example")) for n in range(count)]


def _picks(app, count: int) -> list[tuple]:
    from app.extensions import db
    from app.models import Child
    with app.app_context():
        top = db.session.scalar(sa.select(sa.func.max(Child.id)))
        rng = random.Random(11)
        ids = rng.sample(range(1, top + 1), count)
        rows = db.session.execute(sa.select(Child.id, Child.family_name, Child.date_of_birth)
                                  .where(Child.id.in_(ids))).all()
    return [(i, urllib.parse.quote(f), d.day, d.month, d.year) for i, f, d in rows]


def _single(base: str, cookie: str, csrf: str, picks, runs: int = 60) -> float:
    """Median ms of a child page GET (after its reason POST), one request at a time."""
    times = []
    no_redirect = urllib.request.build_opener(_NoRedirect)
    for pick in picks[:runs]:
        reason = urllib.request.Request(  # noqa: S310 - our own server
            f"{base}/children/{pick[0]}/reason?page=record", data=b"category=coordinating",
            headers={"Cookie": cookie, "X-CSRFToken": csrf})
        try:
            no_redirect.open(reason)
        except urllib.error.HTTPError as moved:
            location = moved.headers["Location"]
        began = time.perf_counter()
        urllib.request.urlopen(urllib.request.Request(  # noqa: S310 - our own server
            base + location, headers={"Cookie": cookie})).read()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _wrk(base: str, people: int, seconds: int, sessions: Path, picks: Path) -> dict:
    out = subprocess.run(  # noqa: S603 - wrk with fixed arguments
        [WRK, "-t", str(people), "-c", str(people), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", str(LUA), base, "--", str(sessions), str(picks)],
        capture_output=True, text=True, check=True).stdout
    found = dict(re.findall(r"^([A-Z0-9]+) ([\d.]+)$", out, re.M))
    return {k: float(v) for k, v in found.items()}


def main() -> None:
    """Run the load test and print the table."""
    parser = argparse.ArgumentParser()
    seeded.database_arguments(parser, children=200_000)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--people", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--profile", metavar="FILE",
                        help="record the app's workers with py-spy during the load (collapsed "
                             "stacks; pip install py-spy)")
    args = parser.parse_args()
    from app.extensions import db
    from app.models import AuditEvent

    url = seeded.work_url(args.children, "load", args.postgresql)
    app = seeded.app_on(url)
    people, picks = _people(app, args.people), _picks(app, 2000)
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).where(
            AuditEvent.action == "child.viewed"))
        db.engine.dispose()
    folder = seeded.FOLDER
    (folder / "load-picks.tsv").write_text("".join("\t".join(map(str, p)) + "\n"
                                                   for p in picks))
    env = seeded.served_environment(url, 8751)
    figures = {}
    with _consumer(env), _served("wsgi:app", env, 8751, args.workers, args.threads) as (
            base, master):
        sessions = [_sign_in(base, email, secret) for email, secret in people]
        (folder / "load-sessions.tsv").write_text("".join(f"{c}\t{t}\n" for c, t in sessions))
        figures["app single"] = _single(base, *sessions[0], picks)
        spy = subprocess.Popen(  # noqa: S603 - py-spy on our own server
            [str(BIN / "py-spy"), "record", "--pid", str(master), "--subprocesses", "--idle",
             "--nonblocking", "--rate", "50", "--duration", str(args.duration),
             "--format", "raw", "--output", args.profile],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if args.profile else None
        cpu = _cpu_seconds(master)
        figures["app"] = _wrk(base, args.people, args.duration, folder / "load-sessions.tsv",
                              folder / "load-picks.tsv")
        figures["app cpu"] = _cpu_seconds(master) - cpu
        if spy:
            spy.wait(60)
        figures["app rss"] = max(_rss_mb(master))
        time.sleep(2)  # the sequencer seals the last events
    with _served("bench.baseline_app:app", {**env, "BENCH_DB": url}, 8752,
                 args.workers, args.threads) as (base, master):
        figures["base single"] = _single(base, "x=y", "none", picks)
        cpu = _cpu_seconds(master)
        figures["base"] = _wrk(base, args.people, args.duration, folder / "load-sessions.tsv",
                               folder / "load-picks.tsv")
        figures["base cpu"] = _cpu_seconds(master) - cpu
        figures["base rss"] = max(_rss_mb(master))
    with app.app_context():
        viewed = db.session.scalar(sa.select(sa.func.count()).where(
            AuditEvent.action == "child.viewed")) - before
    verify = subprocess.run([str(BIN / "flask"), "audit", "verify"],  # noqa: S603 - ours
                            cwd=ROOT, env=env,
                            capture_output=True, text=True)
    _table(args, figures, viewed, verify)


def _table(args, figures: dict, viewed: int, verify) -> None:
    app, base = figures["app"], figures["base"]
    cycles, base_cycles = app["PAGES"] / app["SECONDS"], base["PAGES"] / base["SECONDS"]
    expected = int(app["PAGES"]) + 60
    print(f"\nLoad: {args.people} people, {args.duration} s each, gunicorn {args.workers} "
          f"workers x {args.threads} threads, {'PostgreSQL' if args.postgresql else 'SQLite'}"
          f", {args.children:,} children\n")
    print("| figure | app | bare Flask | ratio |\n|---|---|---|---|")
    print(f"| cycles/s (search, reason, page) | {cycles:.1f} | {base_cycles:.1f} | "
          f"{cycles / base_cycles:.0%} |")
    app_cpu = figures["app cpu"] * 1000 / max(app["PAGES"], 1)
    base_cpu = figures["base cpu"] * 1000 / max(base["PAGES"], 1)
    print(f"| workers' CPU per cycle (ms) | {app_cpu:.1f} | {base_cpu:.1f} | "
          f"{app_cpu / max(base_cpu, 0.001):.1f}x |")
    print(f"| requests/s | {app['REQUESTS'] / app['SECONDS']:.0f} | "
          f"{base['REQUESTS'] / base['SECONDS']:.0f} | |")
    for p in (50, 95, 99):
        print(f"| latency p{p} (all requests, ms) | {app[f'P{p}']:.0f} | "
              f"{base[f'P{p}']:.0f} | {app[f'P{p}'] / max(base[f'P{p}'], 0.001):.1f}x |")
    print(f"| child page alone, p50 (ms) | {figures['app single']:.1f} | "
          f"{figures['base single']:.1f} | {figures['app single'] / figures['base single']:.1f}x |")
    print(f"| errors | {app['ERRORS']:.0f} | {base['ERRORS']:.0f} | |")
    print(f"| largest worker RSS after the load (MB) | {figures['app rss']:.0f} | "
          f"{figures['base rss']:.0f} | {figures['app rss'] / figures['base rss']:.1f}x |")
    within = expected <= viewed <= expected + args.people  # wrk stops with some in flight
    print(f"| audit: child.viewed events for the pages served | {viewed} for {expected} "
          f"({'ok' if within else 'WRONG'}: up to {args.people} more in flight at the end) "
          f"| | |")
    print(f"| audit verify | {'passes' if verify.returncode == 0 else 'FAILS'}: "
          f"{(verify.stdout or verify.stderr).strip()} | | |")
    if verify.returncode:
        print(verify.stdout[-500:], verify.stderr[-500:])


if __name__ == "__main__":
    main()
