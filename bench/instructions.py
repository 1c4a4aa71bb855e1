"""What a search -> reason -> child page cycle costs in CPU instructions, the app against the
bare-Flask baseline (bench/baseline_app.py), counted by valgrind's callgrind: a figure that
is the same from run to run (within 1%), where the time a cycle takes under bench/load.py
moved by a third from one run to the next on the shared machines this was written on, too
much to see a change of a few per cent. Use it to see whether a change does less work.

It counts instructions, not time: the app runs fewer instructions a nanosecond than the
baseline (measured: 34 M in about 9 ms of CPU a cycle against the baseline's 19 M in 3.1 ms,
in this same in-process loop; its code and data are far larger, so the processor waits on
memory more), so its ratio here (about 1.8x) is well under the ratio of CPU time, which
bench/load.py reports for the workers under gunicorn (about 2.5-3x). The target is that
one.

Both are driven in-process by Flask's test client, on their own seeded SQLite copies; only
the measured cycles are counted (after a warm-up), and three bare requests to the baseline
(`/livez`) show what the client and Flask's least cost come to.

Usage:
    .venv/bin/python bench/instructions.py [--cycles 40] [--children 200000]
Needs valgrind (`apt-get install valgrind`; `make bench` installs it). About a minute.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import seeded  # noqa: E402

WARM_UP = 20


def _counting(on: bool) -> None:
    """Switch callgrind's counting on or off for this process."""
    subprocess.run(["callgrind_control", "-i", "on" if on else "off", str(os.getpid())],  # noqa: S603,S607
                   capture_output=True, check=True)


def _counted(cycle, picks) -> None:
    for pick in picks[:WARM_UP]:
        cycle(pick)
    _counting(True)
    for pick in picks[WARM_UP:]:
        cycle(pick)
    _counting(False)


def _app(children: int, cycles: int) -> None:
    from app import create_app
    from app.models import Role
    from bench.search_and_view import _client, _sample, _user

    url = f"sqlite:///{seeded.work_copy(children, 'instructions-work')}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **seeded.SECRETS,
                      "JOBS_DATABASE": seeded.environment(url)["JOBS_DATABASE"],
                      "SESSION_COOKIE_SECURE": False, "WTF_CSRF_SSL_STRICT": False})
    secret = _user(app, Role.practitioner, "Bench Practice", "instructions@bench.example")
    client, token = _client(app, "instructions@bench.example", secret)
    search = {"HX-Request": "true", "X-CSRFToken": token}

    def cycle(pick):
        born = pick[3]
        found = client.post("/search", headers=search, data={
            "family_name": pick[1], "date_of_birth": [str(born.day), str(born.month),
                                                     str(born.year)]})
        reason = client.post(f"/children/{pick[0]}/reason?page=record",
                             data={"category": "coordinating"},
                             headers={"X-CSRFToken": token})
        page = client.get(reason.location)
        assert (found.status_code, reason.status_code, page.status_code) == (200, 302, 200)

    _counted(cycle, _sample(app, WARM_UP + cycles))


def _baseline(children: int, cycles: int, bare: bool) -> None:
    import sqlalchemy as sa

    url = f"sqlite:///{seeded.work_copy(children, 'instructions-base')}"
    os.environ["BENCH_DB"] = url
    from bench.baseline_app import app

    with sa.create_engine(url).connect() as conn:
        picks = conn.execute(sa.text("SELECT id, family_name, date_of_birth FROM children "
                                     "ORDER BY id LIMIT :n"), {"n": WARM_UP + cycles}).all()
    client = app.test_client()

    def cycle(pick):
        if bare:
            for _ in range(3):
                assert client.get("/livez").status_code == 200
            return
        born = date.fromisoformat(str(pick[2])[:10])
        found = client.post("/search", data={"family_name": pick[1], "date_of_birth": [
            str(born.day), str(born.month), str(born.year)]})
        reason = client.post(f"/children/{pick[0]}/reason")
        page = client.get(reason.location)
        assert (found.status_code, reason.status_code, page.status_code) == (200, 302, 200)

    _counted(cycle, picks)


def _measure(side: str, children: int, cycles: int) -> float:
    """Millions of instructions a cycle, counted by callgrind in a process of its own."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no",  # noqa: S603,S607
                        f"--callgrind-out-file={out}", sys.executable, __file__,
                        "--inner", side, "--cycles", str(cycles), "--children", str(children)],
                       cwd=ROOT, check=True, capture_output=True)
        total = int(re.search(r"^totals: (\d+)", out.read_text(), re.M).group(1))
    return total / cycles / 1e6


def main() -> None:
    """Count both sides and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=40)
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--inner", choices=("app", "baseline", "bare"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner == "app":
        return _app(args.children, args.cycles)
    if args.inner:
        return _baseline(args.children, args.cycles, bare=args.inner == "bare")
    seeded.work_copy(args.children, "instructions-seed")  # seeds once, outside valgrind
    app, base, bare = (_measure(side, args.children, args.cycles)
                       for side in ("app", "baseline", "bare"))
    print(f"\nInstructions a search -> reason -> page cycle (callgrind, {args.cycles} cycles, "
          f"{args.children:,} children, SQLite, Flask's test client)\n")
    print("| | millions | ratio to bare Flask |\n|---|---|---|")
    print(f"| app | {app:.1f} | {app / base:.2f}x |")
    print(f"| bare Flask (bench/baseline_app.py) | {base:.1f} | 1.00x |")
    print(f"| three bare requests to the baseline (client and Flask's least) | {bare:.1f} | |")
    print(f"| app, less the bare requests | {app - bare:.1f} | "
          f"{(app - bare) / (base - bare):.2f}x |")
    return None


if __name__ == "__main__":
    main()
