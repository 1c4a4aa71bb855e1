"""Every route that returns a child's data refuses without a reason (walks app.url_map)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_token
from tests.integration.children_helpers import MARKERS, details, make_child, person, service

# Routes naming a child that show none of the child's data themselves: the reason prompt,
# the management team's access history (events and reasons, not the record), and the
# archive, which asks its own limited reasons (tested in test_retention.py), and a broker's
# answer to a mediated request, whose reason is the claimed request (test_mediated.py).
NO_CHILD_DATA = {"records.reason", "audit.child_history", "archive.open_record",
                 "mediated.choose"}


@pytest.mark.parametrize("htmx", [False, True])
def test_no_child_page_or_fragment_without_a_reason(app, htmx):
    manager, manager_id = person(app, "admin", "County Council", "manager@county.example")
    child_id = make_child(app, manager_id, data={
        "details": details(), "identifiers": {"nhs": "9434765919"},
        "carers": [{"name": "Sarah O'Neill", "relationship": "Mother",
                    "parental_responsibility": "yes", "address": None, "phone": None,
                    "email": None}],
        "services": [service()]})
    headers = {"HX-Request": "true"} if htmx else {}
    checked = 0
    for rule in app.url_map.iter_rules():
        if "child_id" not in rule.arguments:
            continue
        url = re.sub(r"<int:child_id>", str(child_id), rule.rule)
        url = re.sub(r"<int:\w+>", "1", url)
        for method in ("GET", "POST") if "POST" in rule.methods else ("GET",):
            if method not in rule.methods:
                continue
            data = {"csrf_token": csrf_token(manager, "/")} if method == "POST" else None
            response = manager.open(url, method=method, data=data, headers=headers)
            body = response.get_data(as_text=True)
            if rule.endpoint not in NO_CHILD_DATA:
                assert response.status_code in (302, 303), (method, url, response.status_code)
                assert "/reason" in response.location, (method, url)
            for marker in ("O&#39;Neill", "943 476 5919", MARKERS["street"], "Sarah"):
                assert marker not in body, (method, url, marker)
            checked += 1
    assert checked >= 10


def test_a_grant_for_one_child_or_page_does_not_open_another(app):
    client, user_id = person(app, "admin", "County Council", "manager@county.example")
    first = make_child(app, user_id)
    second = make_child(app, user_id, data={"details": details(given="Bea"), "services": []})
    token = csrf_token(client, "/")
    response = client.post(f"/children/{first}/reason?page=record",
                           data={"category": "coordinating", "csrf_token": token})
    grant = re.search(r"grant=([\w-]+)", response.location).group(1)
    assert client.get(f"/children/{second}?grant={grant}").status_code == 302
    assert client.get(f"/children/{first}/details?grant={grant}").status_code == 302
    assert client.get(f"/children/{first}?grant={grant}").status_code == 200
