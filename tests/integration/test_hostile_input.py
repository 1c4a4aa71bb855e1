"""Input from outside: a huge day or month, NUL bytes, control characters, direction
overrides and unreadable UTF-8 get a plain message and a 4xx, and nothing is stored
(issue 14, findings 1 to 3)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Child, ChildDraft
from tests.conftest import csrf_token
from tests.integration.children_helpers import count, make_child, open_record, person

DETAILS = {"given_names": "Amelia", "family_name": "Okafor", "gender": "female",
           "date_of_birth": ["14", "2", "2016"], "postcode": "BS1 4DJ"}


def _start(client) -> str:
    response = client.post("/children/new", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    return response.location


def _post(client, url, data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/")})


@pytest.mark.parametrize("date_of_birth", [
    ["99999999999999999999", "2", "2016"], ["14", "99999999999999999999", "2016"],
    ["14", "2", "99999999999999999999"], ["٣", "2", "2016"], ["1", "2", "٢٠١٦"]])
def test_a_huge_or_foreign_day_or_month_is_a_message_not_a_500(app, date_of_birth):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    response = _post(client, _start(client), {**DETAILS, "date_of_birth": date_of_birth})
    assert response.status_code == 422
    assert "Date of birth must be a real date" in response.get_data(as_text=True) or \
        "Year must include 4 numbers" in response.get_data(as_text=True)


@pytest.mark.parametrize("path,fields", [
    ("/search", {"family_name": "Okafor", "date_of_birth": ["1", "99999999999", "2016"]}),
    ("/subject-access/new", {"child": "1", "requester_name": "Sarah", "channel": "letter",
                             "requester_relationship": "parent",
                             "received_on": ["99999999999", "1", "2026"]}),
    ("/corrections/new", {"child": "1", "requester_name": "Sarah", "what_is_wrong": "x",
                          "received_on": ["1", "99999999999", "2026"]}),
])
def test_huge_dates_elsewhere_are_refused_too(app, path, fields):
    manager, manager_id = person(app, "admin", "County Council", "manager@county.example")
    make_child(app, manager_id)
    response = manager.post(path, data={**fields, "csrf_token": csrf_token(manager, "/")})
    assert response.status_code == 422, response.status_code


@pytest.mark.parametrize("value,message", [
    ("Ok\x00afor", "contains hidden control characters"),
    ("Ok\x1b[31mafor", "contains hidden control characters"),
    ("Okafor\r\nX-Injected: 1", "must be on one line"),
    ("\u202erofakO", "change the direction of the text"),
    ("Oka\u2066for", "change the direction of the text"),
    ("Oka\ufffdfor", "could not be read"),
])
def test_control_characters_and_overrides_in_a_name_are_refused(app, value, message):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    url = _start(client)
    response = _post(client, url, {**DETAILS, "family_name": value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        draft = db.session.scalar(sa.select(ChildDraft))
        assert draft is None or value not in draft.data


def test_zero_width_characters_leave_a_name_and_it_is_kept_in_one_form(app):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    url = _start(client)
    assert _post(client, url, {**DETAILS, "given_names": "Ame\u200blia",
                               "family_name": "Zoe\u0308"}).status_code == 302
    with app.app_context():
        kept = json.loads(db.session.scalar(sa.select(ChildDraft)).data)["details"]
        assert kept["given_names"] == "Amelia" and kept["family_name"] == "Zo\u00eb"


def test_a_nul_byte_is_refused_at_every_step_and_nothing_is_saved(app):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    url = _start(client)
    assert _post(client, url, DETAILS).status_code == 302
    carers = url.replace("details", "carers")
    response = _post(client, carers, {"name": "Sarah\x00", "relationship": "Mother",
                                      "parental_responsibility": "yes"})
    assert response.status_code == 422
    services = url.replace("details", "services")
    response = _post(client, services, {"service_type": "education_setting",
                                        "service_name": "Hill\x00top"})
    assert response.status_code == 422
    assert count(app, Child) == 0


def test_a_nul_byte_in_a_records_correction_changes_nothing(app):
    client, user_id = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    child_id = make_child(app, user_id)
    page = open_record(client, child_id, page="details")
    response = client.post(page.request.url, data={
        **DETAILS, "family_name": "Oka\x00for", "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Child, child_id).family_name == "O'Neill"


def test_text_that_is_not_utf8_is_refused_at_the_door(app):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    url = _start(client)
    token = csrf_token(client, "/")
    body = (f"given_names=%FF%FEAmelia&family_name=Okafor&gender=female&date_of_birth=14&"
            f"date_of_birth=2&date_of_birth=2016&csrf_token={token}").encode()
    response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "could not be read" in response.get_data(as_text=True)
    assert client.get("/children/?x=%FF").status_code == 400
    with app.app_context():
        draft = db.session.scalar(sa.select(ChildDraft))
        assert "%FF" not in draft.data and "\ufffd" not in draft.data
