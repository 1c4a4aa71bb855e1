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
            # the prompt names the child as a search result would (audited), nothing more
            named = ("O&#39;Neill",) if rule.endpoint != "records.reason" else ()
            for marker in (*named, "943 476 5919", "9434765919", MARKERS["street"], "Sarah"):
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
    app.config["REASON_COVER_MINUTES"] = 0  # each page asks (the cover: below)
    assert client.get(f"/children/{second}?grant={grant}").status_code == 302
    assert client.get(f"/children/{first}/details?grant={grant}").status_code == 302
    assert client.get(f"/children/{first}?grant={grant}").status_code == 200


def test_a_reason_covers_the_childs_other_pages_for_a_while_each_view_audited(app):
    """Item 5: one reason, then the record's other pages without asking again for
    REASON_COVER_MINUTES; every view still audited with that reason; never another child."""
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa
    import time_machine

    from app.extensions import db
    from app.models import AuditEvent

    client, user_id = person(app, "admin", "County Council", "manager@county.example")
    first = make_child(app, user_id)
    second = make_child(app, user_id, data={"details": details(given="Bea"), "services": []})
    response = client.post(f"/children/{first}/reason?page=record",
                           data={"category": "other", "detail": "Checking a referral",
                                 "csrf_token": csrf_token(client, "/")})
    assert client.get(response.location).status_code == 200
    assert client.get(f"/children/{first}/details").status_code == 200  # not asked again
    assert client.get(f"/children/{first}").status_code == 200  # a reload too
    assert client.get(f"/children/{second}").status_code == 302  # another child: asked
    with app.app_context():
        viewed = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "child.viewed").order_by(AuditEvent.seq)).all()
        assert [(e.child_id, e.reason_category) for e in viewed] == [(first, "other")] * 3
    # the cover runs from when the reason was stated, and page views never stretch it
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=11), tick=True):
        assert client.get(f"/children/{first}/details").status_code == 302
