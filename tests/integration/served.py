"""The app served by gunicorn from the project directory, as in production, for tests that
need real processes (concurrency, what gunicorn itself believes)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent
PROJECT = Path(__file__).parents[2]
KEYS = {"SECRET_KEY": "served-secret", "AUDIT_HMAC_KEY": "served-audit",
        "AUDIT_SIGNING_KEY": "served-signing",
        "TOTP_ENCRYPTION_KEY": "served-totp"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(database_url: str, port: int, **extra: str) -> dict[str, str]:
    """What a deployment sets: the database, the keys, the public address."""
    return {**os.environ, **KEYS, "DATABASE_URL": database_url, "TEAMAROUND_PLAIN_HTTP": "1",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "TEAMAROUND_PER_PROCESS_LIMITS": "1", **extra}  # one machine, no Redis


@contextmanager
def gunicorn(env: dict[str, str], port: int, *, workers: int = 1,
             threads: int = 1) -> Iterator[dict]:
    """Serve until the block ends; yields {"base": url} and, after the block, "log"."""
    server = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
        [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--timeout", "120", "wsgi:app"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=PROJECT)
    served = {"base": f"http://127.0.0.1:{port}"}
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(served["base"] + "/livez", timeout=2).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        yield served
    finally:
        server.terminate()
        served["log"] = server.communicate(timeout=30)[0].decode()


def command(env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.Popen:
    """Start `flask --app wsgi ARGS` as an operator would."""
    return subprocess.Popen(  # noqa: S603 - our own command
        [str(BIN / "flask"), "--app", "wsgi", *args], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, cwd=PROJECT)
