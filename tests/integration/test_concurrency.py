"""SQLite under real use (issue 14, findings 4 and 5): gunicorn with 2 workers x 8 threads,
30 people signing in at once while a retention run works through 20,000 children. Before,
sign-ins queued on a write lock held across argon2 and readers got "database is locked"
500s during retention's one long transaction. Now: no error at all."""

from __future__ import annotations

import http.cookiejar
import re
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta

import pyotp
import pytest

from app import create_app
from app.extensions import db
from tests.conftest import BASE_CONFIG, PASSWORD
from tests.integration.served import BIN, KEYS, command, environment, free_port, gunicorn

PEOPLE = 30


def _seed(url: str) -> list[tuple[str, str]]:
    """20,000 children (a third due to be archived six years on) and 30 people
    whose passwords are hashed at the production cost, as the sign-ins must be checked."""
    from app.models import Role
    from app.services import accounts, demo, totp

    app = create_app({**BASE_CONFIG, **KEYS, "SQLALCHEMY_DATABASE_URI": url,  # the real cost:
                      "ARGON2_TIME_COST": 3, "ARGON2_MEMORY_KIB": 65536,     # 0.3 to 0.7 s
                      "ARGON2_PARALLELISM": 4})
    people = []
    with app.app_context():
        demo.seed(20_000, 7)
        org = accounts.find_or_create_organisation("Hilltop School")
        for n in range(PEOPLE):
            secret = totp.new_secret()
            accounts.create_user(email=f"p{n}@hilltop.example", name=f"Person {n}",
                                 role=Role.practitioner, organisation=org, password=PASSWORD,
                                 totp_secret=secret)
            people.append((f"p{n}@hilltop.example", secret))
        db.session.commit()
        db.engine.dispose()
    return people


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _sign_in(base: str, email: str, secret: str, results: list) -> None:
    """Both steps through the real forms, as a browser would; every status is kept."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(path, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data else None
        try:
            with opener.open(base + path, data=body, timeout=60) as response:
                results.append(response.status)
                return response.read().decode()
        except urllib.error.HTTPError as error:
            results.append(error.code)
            return error.read().decode()
        except OSError as error:
            results.append(repr(error))
            return ""

    page = call("/sign-in")
    page = call("/sign-in", {"email": email, "password": PASSWORD, "csrf_token": _token(page)})
    if "csrf_token" in page:
        page = call("/sign-in/code", {"code": pyotp.TOTP(secret).now(),
                                      "csrf_token": _token(page)})
    call("/children/")


@pytest.mark.skipif(not shutil.which(str(BIN / "gunicorn")), reason="gunicorn not installed")
def test_thirty_sign_ins_during_a_retention_run_on_sqlite_make_no_error(sqlite_template,
                                                                       tmp_path):
    path = tmp_path / "busy.sqlite"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    people = _seed(url)
    port = free_port()
    env = environment(url, port, RATELIMIT_SIGN_IN="100000 per minute")
    with gunicorn(env, port, workers=2, threads=8) as served:
        as_of = (date.today() + timedelta(days=6 * 365)).isoformat()  # a third are due
        retention = command(env, "retention", "run", "--as-of", as_of)
        results: list = []
        threads = [threading.Thread(target=_sign_in, args=(served["base"], email, secret,
                                                           results))
                   for email, secret in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        output = retention.communicate(timeout=300)[0].decode()
    log = served["log"]
    errors = [r for r in results if not isinstance(r, int) or r >= 500]
    assert errors == [], log[-12000:]
    assert results.count(200) >= PEOPLE * 3, results
    assert retention.returncode == 0, output
    assert "archived (18th birthday)" in output, output
    assert "database is locked" not in log
    verified = command(env, "audit", "verify")
    assert verified.wait(timeout=120) == 0, verified.communicate()[0]
