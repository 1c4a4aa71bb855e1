"""Benchmark searches and child-page views through the whole Flask stack.

Usage:
    .venv/bin/python bench/search_and_view.py [--children 200000] [--runs 200]
                                              [--postgresql URL]

It works on its own seeded copy (bench/seeded.py: SQLite, or with --postgresql its own
databases on that server), never on a database it did not make, whose audit chain its
events would break with another key. The harness adds one practitioner, signs in
through the real forms, then times each search type and the child page (reason POST, then
the page GET that spends the grant and writes its audit event). Prints p50/p95 in ms.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyotp
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import Child, Identifier, Role, Scheme
from app.services import accounts, totp

PASSWORD = "bench mark lantern gravel"  # noqa: S105 - a throw-away benchmark account


def _user(app, role: Role, org: str, email: str) -> str:
    with app.app_context():
        existing = accounts.find_user_by_email(email)
        secret = totp.new_secret()
        if existing is None:
            organisation = accounts.find_or_create_organisation(org)
            accounts.create_user(email=email, name=email, role=role, organisation=organisation,
                                 password=PASSWORD, totp_secret=secret)
        else:
            from app.services import crypto, eligibility
            from app.services.clock import now

            existing.totp_secret_enc = crypto.encrypt(secret)
            existing.totp_last_step = None
            existing.failed_attempts, existing.locked_until = 0, None
            existing.policy_version, existing.policy_signed_at = eligibility.POLICY_VERSION, now()
            existing.dbs_checked_on = existing.training_completed_on = now().date()
            existing.nominated_at = now()
        db.session.commit()
    return secret


def _client(app, email, secret):
    client = app.test_client()
    html = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    first = client.post("/sign-in", data={"email": email, "password": PASSWORD,
                                          "csrf_token": token})
    html = client.get("/sign-in/code").get_data(as_text=True)  # the session was renewed
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    second = client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now(),
                                                "csrf_token": token})
    html = client.get("/").get_data(as_text=True)
    assert "X-CSRFToken" in html and second.status_code == 302, (first.status_code,
                                                                 second.status_code)
    return client, re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


def _sample(app, runs):
    with app.app_context():
        top = db.session.scalar(sa.select(sa.func.max(Child.id)))
        picks = []
        rng = random.Random(3)
        while len(picks) < runs:
            child = db.session.get(Child, rng.randrange(1, top + 1))
            if child is None:
                continue
            upn = db.session.scalar(sa.select(Identifier.value).where(
                Identifier.child_id == child.id, Identifier.scheme == Scheme.upn))
            picks.append((child.id, child.family_name, child.given_names, child.date_of_birth,
                          child.postcode, upn))
        return picks


def _timed(fn):
    start = time.perf_counter()
    response = fn()
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code in (200, 302), response.status_code
    return elapsed


def _report(name, samples):
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"{name:<34} p50 {statistics.median(samples):6.1f} ms   p95 {p95:6.1f} ms   "
          f"(n={len(samples)})")


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    from bench import seeded
    seeded.database_arguments(parser, children=200_000)
    args = parser.parse_args()

    url = (seeded.pg_work_copy(args.postgresql, args.children, "search") if args.postgresql
           else f"sqlite:///{seeded.work_copy(args.children, 'search-work')}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": seeded.sqlalchemy_url(url), **seeded.SECRETS,
                      "JOBS_DATABASE": seeded.environment(url)["JOBS_DATABASE"],
                      "SESSION_COOKIE_SECURE": False, "SESSION_COOKIE_NAME": "bench",
                      "WTF_CSRF_SSL_STRICT": False, "RATELIMIT_ENABLED": False})
    secret = _user(app, Role.practitioner, "Bench Practice", "bench.practitioner@example.org")
    client, token = _client(app, "bench.practitioner@example.org", secret)
    picks = _sample(app, args.runs)
    kinds = {
        "search: family name + date of birth": lambda p: {
            "family_name": p[1], "date_of_birth": [str(p[3].day), str(p[3].month),
                                                   str(p[3].year)]},
        "search: family + given + age": lambda p: {
            "family_name": p[1], "given_names": p[2],
            "age": str(max(0, (time.localtime().tm_year - p[3].year) - 1))},
        "search: family + given + district": lambda p: {
            "family_name": p[1], "given_names": p[2], "district": (p[4] or "X1 1AA").split()[0]},
        "search: UPN": lambda p: {"identifier": p[5]},
    }
    for name, build in kinds.items():
        _report(name, [_timed(lambda p=p, build=build: client.post("/search", data={
            **build(p), "csrf_token": token})) for p in picks])
    views = []
    for pick in picks:
        response = client.post(f"/children/{pick[0]}/reason?page=record",
                               data={"category": "coordinating", "csrf_token": token})
        views.append(_timed(lambda r=response: client.get(r.location)))
    _report("child page (incl. audit write)", views)


if __name__ == "__main__":
    main()
