"""gunicorn.conf.py refuses several workers with per-process rate limits (issue 19): the
sign-in limit would be multiplied by the number of workers."""

from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def _start(monkeypatch, workers: int, **env: str) -> None:
    for name in ("REDIS_URL", "TEAMAROUND_PER_PROCESS_LIMITS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    runpy.run_path(str(CONF))["on_starting"](SimpleNamespace(cfg=SimpleNamespace(
        workers=workers)))


def test_several_workers_need_shared_limits_or_the_operators_word(monkeypatch):
    _start(monkeypatch, 1)
    _start(monkeypatch, 4, REDIS_URL="redis://127.0.0.1:6379/0")
    _start(monkeypatch, 4, TEAMAROUND_PER_PROCESS_LIMITS="1")
    with pytest.raises(SystemExit, match="multiplied by the number of workers"):
        _start(monkeypatch, 2)


def test_the_access_log_never_holds_a_query_string():
    settings = runpy.run_path(str(CONF))
    assert "%(U)s" in settings["access_log_format"]  # the path alone
    assert "%(q)s" not in settings["access_log_format"] and "%(r)s" not in \
        settings["access_log_format"]


def test_gunicorn_itself_refuses_to_start(tmp_path):
    """The real gunicorn, started from the project folder as the README says."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "TEAMAROUND_PER_PROCESS_LIMITS")}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    done = subprocess.run([str(gunicorn), "--workers", "2", "--bind", "127.0.0.1:0",  # noqa: S603
                           "wsgi:app"], cwd=CONF.parent, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode != 0 and "multiplied by the number of workers" in done.stderr


def test_gunicorn_opens_no_control_socket_in_the_services_home(tmp_path):
    """gunicorn 25+ opens a control socket under $HOME by default: the service's user has
    no writable home (README: the code is root's), so it logged a permission error at
    every start; nothing here uses the socket, so none is opened."""
    import os
    import signal
    import subprocess
    import sys
    import time

    home = tmp_path / "home"
    home.mkdir()
    env = {**{k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"},
           "HOME": str(home), "DATABASE_URL": f"sqlite:///{tmp_path}/g.sqlite",
           "KEYS_DIR": str(tmp_path / "keys")}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen([str(gunicorn), "--workers", "1", "--bind", "127.0.0.1:0",  # noqa: S603
                               "wsgi:app"], cwd=CONF.parent, env=env, stderr=subprocess.PIPE,
                              text=True)
    try:
        deadline = time.monotonic() + 60
        lines = []
        while time.monotonic() < deadline:
            line = server.stderr.readline()
            lines.append(line)
            if "Booting worker" in line or not line:
                break
        time.sleep(1)  # the control server, when there is one, starts beside the workers
    finally:
        server.send_signal(signal.SIGTERM)
        rest = server.communicate(timeout=30)[1]
    log = "".join(lines) + rest
    assert "Booting worker" in log
    assert "Control server" not in log and not (home / ".gunicorn").exists(), log
