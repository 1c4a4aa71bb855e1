"""Crash safety: SIGKILL a gunicorn worker again and again while signed-in people write, then
check that every write the server acknowledged is there, that nothing is half-written, and
that the audit trail verifies.

Each person loops: state a reason for a child (category "other", words unique to that
request: one access_grants row), then open the page it grants (spends the grant and writes
its child.viewed audit event in the same transaction). A 302 acknowledges the reason, a
200 the view. Meanwhile a worker is killed --kills times (default 100) at random moments,
so many kills land inside a request. Afterwards:

- every acknowledged reason's words are in access_grants, exactly once;
- every acknowledged view's grant is spent;
- nothing half-written: spent grants (acknowledged or not) equal child.viewed events for
  the people's views, one for one, and every audit event has its queue row or its leaf;
- SQLite: PRAGMA integrity_check is ok; `flask audit verify` passes after sealing.

Usage:
    .venv/bin/python bench/crash.py [--kills 100] [--people 6] [--children 2000]
                                    [--postgresql URL]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench import seeded  # noqa: E402
from bench.load import _NoRedirect, _people, _picks, _served, _sign_in  # noqa: E402

PORT = 8753
SERVING_SECONDS = 1.5


class _Person(threading.Thread):
    """One signed-in person writing until told to stop; keeps what was acknowledged."""

    def __init__(self, n: int, base: str, cookie: str, csrf: str, picks, stop):
        super().__init__(daemon=True)
        self.n, self.base, self.cookie, self.csrf, self.stop = n, base, cookie, csrf, stop
        self.picks, self.rng = picks, random.Random(n)
        self.reasons: list[str] = []  # words of acknowledged reasons
        self.views: list[str] = []  # grant tokens of acknowledged views
        self.broken = 0  # requests cut off (a worker killed under them)
        self.other: dict[int, int] = {}  # other statuses, by status
        self.opener = urllib.request.build_opener(_NoRedirect)

    def _send(self, request) -> tuple[int, str | None]:
        try:
            response = self.opener.open(request, timeout=30)
            response.read()
            return response.status, None
        except urllib.error.HTTPError as answered:
            return answered.code, answered.headers.get("Location")
        except (OSError, http.client.HTTPException):  # reset, closed or cut short: the
            # worker died under it
            self.broken += 1
            return 0, None

    def run(self):
        count = 0
        while not self.stop.is_set():
            count += 1
            child = self.rng.choice(self.picks)[0]
            words = f"crash test {self.n}-{count}"
            body = urllib.parse.urlencode({"category": "other", "detail": words}).encode()
            status, location = self._send(urllib.request.Request(  # noqa: S310 - ours
                f"{self.base}/children/{child}/reason?page=record", data=body,
                headers={"Cookie": self.cookie, "X-CSRFToken": self.csrf}))
            if status != 302:
                if status:
                    self.other[status] = self.other.get(status, 0) + 1
                continue
            self.reasons.append(words)
            token = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["grant"][0]
            status, _ = self._send(urllib.request.Request(  # noqa: S310 - ours
                self.base + location, headers={"Cookie": self.cookie}))
            if status == 200:
                self.views.append(token)
            elif status:
                self.other[status] = self.other.get(status, 0) + 1


def _workers(master: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(master)],  # noqa: S603,S607 - fixed
                           capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found]


def _kill(master: int, kills: int, rng: random.Random) -> int:
    """Kill a serving worker `kills` times, at random moments; returns how many kills were
    made. A worker is killed only once it has served for a while (a new one spends its
    first second loading the app, and a kill then proves nothing)."""
    made, seen = 0, {}
    while made < kills:
        time.sleep(rng.uniform(0.05, 0.3))
        now = time.monotonic()
        serving = [pid for pid in _workers(master)
                   if now - seen.setdefault(pid, now) >= SERVING_SECONDS]
        if serving:
            os.kill(rng.choice(serving), signal.SIGKILL)
            made += 1
    return made


def main() -> None:
    """Run the crash test and print what it found; exits 1 if a check fails."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--people", type=int, default=6)
    seeded.database_arguments(parser, children=2000)
    args = parser.parse_args()
    from app.extensions import db
    from app.models import AccessGrant, AuditEvent, AuditLeaf, AuditUnsealed

    url = seeded.work_url(args.children, "crash", args.postgresql)
    app = seeded.app_on(url)
    people, picks = _people(app, args.people), _picks(app, 500)
    with app.app_context():
        first_grant = db.session.scalar(sa.select(sa.func.max(AccessGrant.id))) or 0
        first_event = db.session.scalar(sa.select(sa.func.max(AuditEvent.seq))) or 0
        db.engine.dispose()
    env = seeded.served_environment(url, PORT, REASON_COVER_MINUTES="0", LOG_FORMAT="text")
    stop = threading.Event()
    began = time.perf_counter()
    with _served("wsgi:app", env, PORT, 2, 1) as (base, master):
        threads = [_Person(n, base, *_sign_in(base, email, secret), picks, stop)
                   for n, (email, secret) in enumerate(people)]
        for thread in threads:
            thread.start()
        kills = _kill(master, args.kills, random.Random(7))
        stop.set()
        for thread in threads:
            thread.join(60)
    took = time.perf_counter() - began
    reasons = [w for t in threads for w in t.reasons]
    views = [v for t in threads for v in t.views]
    with app.app_context():
        stored = dict(db.session.execute(
            sa.select(AccessGrant.reason_text, sa.func.count()).where(
                AccessGrant.id > first_grant, AccessGrant.reason_text.like("crash test %"))
            .group_by(AccessGrant.reason_text)).all())
        spent = set(db.session.scalars(sa.select(AccessGrant.token).where(
            AccessGrant.id > first_grant, AccessGrant.first_used_at.is_not(None))))
        viewed = db.session.scalar(sa.select(sa.func.count()).where(
            AuditEvent.seq > first_event, AuditEvent.action == "child.viewed"))
        orphans = db.session.scalar(sa.select(sa.func.count()).where(
            AuditEvent.seq > first_event,
            ~AuditEvent.seq.in_(sa.select(AuditUnsealed.event_seq)),
            ~AuditEvent.seq.in_(sa.select(AuditLeaf.event_seq))))
        integrity = (db.session.execute(sa.text("PRAGMA integrity_check")).scalar()
                     if url.startswith("sqlite") else "n/a (PostgreSQL)")
        db.engine.dispose()
    sealed = seeded.flask(env, "audit", "seal")[2].splitlines()[-1]
    verified = seeded.flask(env, "audit", "verify")[2].splitlines()[-1]
    checks = {
        "every acknowledged reason stored, once": all(stored.get(w) == 1 for w in reasons),
        "every acknowledged view's grant spent": all(v in spent for v in views),
        "spent grants = child.viewed events": len(spent) == viewed,
        "every audit event queued or sealed": orphans == 0,
        "audit verify passes": "intact" in verified,
    }
    if not args.postgresql:
        checks["SQLite integrity_check ok"] = integrity == "ok"
    print(f"crash test: {kills} workers killed in {took:.0f} s, {len(threads)} people, "
          f"{'PostgreSQL' if args.postgresql else 'SQLite'}, {args.children:,} children")
    print(f"  acknowledged: {len(reasons):,} reasons, {len(views):,} views; requests cut off "
          f"by a kill: {sum(t.broken for t in threads):,}; other answers: "
          f"{dict(sum((Counter(t.other) for t in threads), Counter())) or 'none'}")
    print(f"  stored: {sum(stored.values()):,} reasons, {len(spent):,} spent grants, "
          f"{viewed:,} child.viewed events; integrity_check: {integrity}")
    print(f"  {sealed}\n  {verified}")
    for name, held in checks.items():
        print(f"  [{'ok' if held else 'FAILED'}] {name}")
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
