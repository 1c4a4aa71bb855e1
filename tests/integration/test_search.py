"""Directory search: minimum criteria, tolerant exact keys, the cap, audit, no names in URLs."""

from __future__ import annotations

import io
import logging

import pytest

from tests.conftest import csrf_token
from tests.integration.children_helpers import details, events, make_child, person, service


@pytest.fixture
def world(app):
    """A management user, a practitioner elsewhere, data entry at the school, some children."""
    manager = person(app, "admin", "County Council", "manager@county.example")
    school = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    outsider = person(app, "practitioner", "Riverside Youth", "ola@riverside.example")
    made = {}
    made["amelia"] = make_child(app, school[1], data={
        "details": details(other_names="Amelia Brown"), "identifiers": {
            "nhs": "9434765919", "upn": "B801200005001", "uln": "1234567899"},
        "services": [service()]})
    made["zoe"] = make_child(app, school[1], data={
        "details": details(given="Zoë", family="Smith-Jones", dob="2012-06-01",
                           postcode="BS1 4DJ"),
        "services": [service()]})
    return {"manager": manager, "school": school, "outsider": outsider, **made}


def _search(client, **fields):
    data = {"csrf_token": csrf_token(client, "/search")}
    for key, value in fields.items():
        data[key] = value
    return client.post("/search", data=data)


@pytest.mark.parametrize("fields,needed", [
    ({}, "Enter one of these"),
    ({"family_name": "O'Neill"}, "Add a date of birth"),
    ({"family_name": "O'Neill", "given_names": "Amelia"}, "Add a date of birth"),
    ({"given_names": "Amelia", "date_of_birth": ["14", "2", "2016"]}, "Enter one of these"),
    ({"identifier": "12345"}, "not a valid NHS number, UPN or ULN"),
    ({"family_name": "*", "date_of_birth": ["14", "2", "2016"]}, "Enter one of these"),
])
def test_too_little_is_refused_with_what_else_is_needed(app, world, fields, needed):
    client = world["outsider"][0]
    response = _search(client, **fields)
    assert response.status_code == 422
    assert needed in response.get_data(as_text=True)
    assert events(app, "search") == []


@pytest.mark.parametrize("fields", [
    {"family_name": "oneill", "date_of_birth": ["14", "2", "2016"]},
    {"family_name": "O\u2019NEILL", "date_of_birth": ["14", "2", "2016"]},  # curly apostrophe
    {"family_name": "Brown", "date_of_birth": ["14", "2", "2016"]},  # a previous name
    {"family_name": "O'Neill", "given_names": "amelia", "age": "10"},
    {"family_name": "O'Neill", "given_names": "Amelia", "district": "zz9"},
    {"identifier": "B801200005001"},
    {"identifier": "1234567899"},
])
def test_tolerant_matching_finds_amelia(app, world, fields):
    response = _search(world["outsider"][0], **fields)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Amelia O&#39;Neill" in page and "1 child matches" in page
    assert "7 Marigold Crescent" not in page and "ZZ9 9ZZ" not in page  # never the address


def test_accents_and_double_barrelled_names(app, world):
    client = world["outsider"][0]
    for family in ("Smith-Jones", "smith jones", "Jones", "SMITHJONES"):
        page = _search(client, family_name=family, date_of_birth=["1", "6", "2012"])
        assert "Zoë Smith-Jones" in page.get_data(as_text=True), family
    page = _search(client, family_name="Smith", given_names="zoe", district="BS1")
    assert "Zoë Smith-Jones" in page.get_data(as_text=True)


def test_nhs_number_search_never_matches_for_those_who_cannot_see_it(app, world):
    outsider = _search(world["outsider"][0], identifier="9434765919").get_data(as_text=True)
    assert "No children match" in outsider
    manager = _search(world["manager"][0], identifier="943 476 5919").get_data(as_text=True)
    assert "1 child matches" in manager


def test_above_the_cap_no_rows_only_refine(make_app):
    app = make_app(SEARCH_CAP=2)
    client, school_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    for given in ("Ava", "Ben", "Cal"):
        make_child(app, school_id, data={"details": details(given=given, family="Patel"),
                                         "services": []})
    page = _search(client, family_name="Patel", date_of_birth=["14", "2", "2016"])
    text = page.get_data(as_text=True)
    assert "More than 2 children match" in text and "Refine your search" in text
    assert "Ava" not in text and "Ben" not in text
    capped = events(app, "search")
    assert capped[-1].outcome == "capped"


def test_results_update_as_you_type_with_htmx(app, world):
    client = world["outsider"][0]
    token = csrf_token(client, "/search")
    partial = client.post("/search", data={"family_name": "O'Neill", "csrf_token": token},
                          headers={"HX-Request": "true"})
    assert partial.status_code == 422 and "<html" not in partial.get_data(as_text=True)
    assert "Add a date of birth" in partial.get_data(as_text=True)
    full = client.post("/search", data={"family_name": "O'Neill", "csrf_token": token,
                                        "date_of_birth": ["14", "2", "2016"]},
                       headers={"HX-Request": "true"})
    assert full.status_code == 200 and "Amelia" in full.get_data(as_text=True)
    assert "HX-Request" in full.headers["Vary"]


def test_search_is_post_only_audited_and_names_stay_out_of_urls_and_logs(app, world):
    client = world["outsider"][0]
    assert client.get("/search?family_name=ONeill").status_code == 200  # the form, unused
    assert events(app, "search") == []  # a GET never searches
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level, root.level = root.level, logging.DEBUG
    try:
        response = _search(client, family_name="O'Neill", date_of_birth=["14", "2", "2016"])
    finally:
        root.removeHandler(handler)
        root.level = old_level
    assert response.request.path == "/search" and not response.request.query_string
    assert "neill" not in stream.getvalue().lower()
    searches = events(app, "search")
    assert len(searches) == 1 and searches[0].actor_user_id == world["outsider"][1]
    assert searches[0].child_id is None  # the terms live in the erasable detail record


def test_data_entry_and_requesters_cannot_search(app, world):
    assert world["school"][0].get("/search").status_code == 403
    requester, _ = person(app, "requester", "Riverside Youth", "req@riverside.example")
    assert requester.get("/search").status_code == 403


def test_too_little_to_search_on_is_an_error_and_only_the_count_is_read_out(app):
    """Issue 17 item 6: "add a date of birth" was not an error (no summary, no styling),
    and the whole results table was a live region, read out in full on every change."""
    import re

    client, _ = person(app, "practitioner", "Hilltop School", "pat@hilltop.example")
    token = csrf_token(client, "/search")
    page = client.post("/search", data={"family_name": "oneill", "csrf_token": token})
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and "<title>Error: Find a child" in html
    assert re.search(r'govuk-error-summary.*There is a problem.*href="#date_of_birth-day"',
                     html, re.S)
    assert 'class="govuk-error-message" id="search-needs"' in html
    assert 'id="results">' in html and 'aria-live' not in html.split('id="results"')[1][:20]
    fragment = client.post("/search", data={"family_name": "oneill", "csrf_token": token},
                           headers={"HX-Request": "true"}).get_data(as_text=True)
    assert re.search(r'<p id="search-status" role="status" class="govuk-visually-hidden" '
                     r'hx-swap-oob="innerHTML">Add a date of birth', fragment)
