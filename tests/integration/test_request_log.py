"""One JSON line per request with its id, route, status, duration and user id, never a
name, search term or query string; the id sent back and shown on error pages (issue 19)."""

from __future__ import annotations

import io
import json
import logging

from app.request_log import JsonLines, _RequestId
from tests.conftest import csrf_token
from tests.integration.children_helpers import make_child, person


def _captured():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(_RequestId())
    handler.setFormatter(JsonLines())
    logger = logging.getLogger("teamaround.requests")
    logger.addHandler(handler)
    return stream, lambda: logger.removeHandler(handler)


def test_each_request_is_one_json_line_without_personal_data(app):
    client, user_id = person(app, "practitioner", "Hilltop School", "pat@hilltop.example")
    make_child(app, user_id)
    token = csrf_token(client, "/search")
    stream, done = _captured()
    try:
        response = client.post("/search?family_name=ONeill", data={
            "family_name": "O'Neill", "date_of_birth": ["14", "2", "2016"],
            "csrf_token": token})
        missing = client.get("/children/999999/reason")
    finally:
        done()
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    search, not_found = lines
    assert search["request_id"] == response.headers["X-Request-ID"] and search["request_id"]
    assert search["route"] == "/search" and search["method"] == "POST"
    assert search["status"] == response.status_code and search["user_id"] == user_id
    assert isinstance(search["duration_ms"], float)
    assert not_found["route"] == "/children/<int:child_id>/reason"
    assert not_found["status"] == 404
    text = stream.getvalue().lower()
    for personal in ("neill", "amelia", "2016", "999999", "pat@"):
        assert personal not in text, personal
    page = missing.get_data(as_text=True)
    assert f"quote reference {missing.headers['X-Request-ID']}" in page
