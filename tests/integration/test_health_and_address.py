"""What the service says about itself, and which address it answers to (issue 14,
findings 7 and 8)."""

from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.request

import pytest

from tests.conftest import make_user, sign_in
from tests.integration.served import BIN, environment, free_port, gunicorn

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _nothing_listening() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


def test_healthz_names_redis_when_it_is_configured_and_down(make_app):
    """Finding 7: Redis configured but down, /healthz said ok while sign-in gave a 500.
    Now /healthz is 503 naming it, /livez stays 200, and signing in still works (the rate
    limits go on in each process meanwhile)."""
    down = _nothing_listening()
    app = make_app(REDIS_URL=down, RATELIMIT_STORAGE_URI=down,
                   RATELIMIT_SIGN_IN="3 per minute")
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "unavailable: redis, queue"  # the queue is on it
    assert client.get("/livez").status_code == 200
    _, email, secret = make_user(app)
    assert sign_in(client, email, secret).status_code == 302
    statuses = [client.post("/sign-in", data={"email": email, "password": "wrong"}).status_code
                for _ in range(4)]
    assert statuses[-1] == 429


def test_healthz_is_ok_when_redis_answers(make_app):
    app = make_app(REDIS_URL=REDIS_URL, RATELIMIT_STORAGE_URI=REDIS_URL)
    response = app.test_client().get("/healthz")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok")


def test_healthz_names_the_database_when_it_is_down(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}"
                                           "/gone?connect_timeout=2")
    client = app.test_client()
    response = client.get("/healthz")
    assert (response.status_code, response.get_data(as_text=True)) == (503,
                                                                      "unavailable: database")
    assert client.get("/livez").status_code == 200


def test_healthz_names_audit_sealing_when_no_sequencer_keeps_up(make_app):
    """Events wait in the sequencer's queue while no consumer runs: the operator is told."""
    from app.extensions import db
    from app.services import audit, audit_tree

    app = make_app(AUDIT_SEAL_LAG_SECONDS=0)
    with app.app_context():
        audit.record("test.event")
        db.session.commit()
    client = app.test_client()
    response = client.get("/healthz")
    assert (response.status_code, response.get_data(as_text=True)) == (
        503, "unavailable: audit sealing")
    with app.app_context():
        audit_tree.seal_all()
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("path", ["/children", "/sign-in", "/healthz"])
def test_a_host_we_do_not_serve_gets_400_and_no_redirect_to_it(client, path):
    """Finding 8: `Host: evil.example` came back as `308 Location: http://evil.example/...`."""
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "evil.example" not in response.get_data(as_text=True)
    assert client.get("/children").location == "http://localhost/children/"


def test_trusted_hosts_come_from_the_public_address_or_the_setting(make_app):
    public = make_app(PUBLIC_BASE_URL="https://portal.example.org").test_client()
    assert public.get("/healthz", headers={"Host": "portal.example.org"}).status_code == 200
    assert public.get("/healthz", headers={"Host": "localhost"}).status_code == 400
    listed = make_app(TRUSTED_HOSTS=["portal.example.org", "teamaround.internal"])
    assert listed.test_client().get("/healthz", headers={
        "Host": "teamaround.internal"}).status_code == 200


def _headers(base: str, path: str, **headers) -> tuple[int, dict]:
    request = urllib.request.Request(base + path,  # noqa: S310 - our own server
                                     headers={"Host": "127.0.0.1", **headers})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.skipif(not shutil.which(str(BIN / "gunicorn")), reason="gunicorn not installed")
@pytest.mark.parametrize("hops", [0, 1])
def test_proxy_headers_are_believed_only_from_trusted_proxies(sqlite_template, tmp_path, hops):
    """Finding 8: with TRUST_PROXY_HOPS=0, gunicorn believed X-Forwarded-Proto from any
    client on loopback (HSTS sent, the request taken as HTTPS). Now only the app decides,
    and only with TRUST_PROXY_HOPS > 0."""
    path = tmp_path / "address.sqlite"
    shutil.copy(sqlite_template, path)
    port = free_port()
    env = environment(f"sqlite:///{path}", port, TRUST_PROXY_HOPS=str(hops))
    with gunicorn(env, port) as served:
        status, headers = _headers(served["base"], "/sign-in", **{"X-Forwarded-Proto": "https"})
        _, moved = _headers(served["base"], "/children", **{"X-Forwarded-Proto": "https"})
        evil, _ = _headers(served["base"], "/children", Host="evil.example")
    assert status == 200, served["log"]
    assert ("Strict-Transport-Security" in headers) is bool(hops)
    assert moved["Location"].startswith("https://" if hops else "http://")
    assert evil == 400
