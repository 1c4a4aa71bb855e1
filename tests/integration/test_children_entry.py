"""Entering a child by hand through the real forms, with JavaScript off."""

from __future__ import annotations

import re

import pytest
import time_machine

from app.models import Child, ChildDraft, Identifier, Involvement
from tests.conftest import csrf_token
from tests.integration.children_helpers import count, events, person

TODAY = "2026-03-02 09:00:00 +0000"


@pytest.fixture(autouse=True)
def _fixed_day():
    """Date rules (future, 25 years) are checked against a known day."""
    with time_machine.travel(TODAY, tick=True):
        yield


def _start(client):
    response = client.post("/children/new", data={"csrf_token": csrf_token(client, "/children/")})
    assert response.status_code == 302
    return response.location  # .../children/new/<id>/details


def _post(client, url, data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)})


DETAILS = {"given_names": "Amelia", "family_name": "O'Neill", "gender": "female",
           "date_of_birth": ["14", "2", "2016"], "postcode": "bs1 4dj"}


@pytest.mark.parametrize("change,message", [
    ({"date_of_birth": ["14", "", "2016"]}, "Date of birth must include a month"),
    ({"date_of_birth": ["31", "2", "2016"]}, "Date of birth must be a real date"),
    ({"date_of_birth": ["3", "3", "2026"]}, "Date of birth must be today or in the past"),
    ({"date_of_birth": ["1", "3", "2001"]}, "within the last 25 years"),
    ({"date_of_birth": ["1", "3", "16"]}, "Year must include 4 numbers"),
    ({"postcode": "not a postcode"}, "Enter a real postcode"),
    ({"given_names": ""}, "Enter the child&#39;s given names"),
])
def test_details_rules_run_on_the_server(app, change, message):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    url = _start(client)
    response = _post(client, url, {**DETAILS, **change})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, Child) == 0


@pytest.mark.parametrize("field,value,message", [
    ("nhs", "943 476 5918", "This NHS number is not valid: check the last digit"),
    ("upn", "A801200005001", "check the first letter"),
    ("uln", "1234567890", "This ULN is not valid: check the last digit"),
])
def test_identifier_rules_run_on_the_server(app, field, value, message):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    url = _start(client)
    assert _post(client, url, DETAILS).status_code == 302
    response = _post(client, url.replace("details", "identifiers"), {field: value})
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_htmx_checks_a_field_when_it_is_left_as_gov_uk_shows_errors(app):
    """Issue 17 item 6: identifier checks fired while typing, below the field, without
    the error class or aria-describedby. Now a field is checked on change (when left), and
    the answer is its whole form group as on submit: message above the input, the group
    and input marked, the input described by the message; and the live region's words."""
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    draft = client.post("/children/new", data={
        "csrf_token": csrf_token(client, "/children/")}).location.rsplit("/", 1)[0]
    page = client.get(draft + "/identifiers").get_data(as_text=True)
    assert 'hx-trigger="change"' in page and "keyup" not in page
    token = csrf_token(client, "/children/")
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    bad = client.post("/children/validate/identifiers/nhs",
                      data={"nhs": "9434765918", "upn": "not checked"}, headers=headers)
    html = bad.get_data(as_text=True)
    group = re.search(r'<div id="nhs-wrap">(.*?)</div>\s*<div id="nhs-live"', html, re.S).group(1)
    assert "govuk-form-group--error" in group and "govuk-input--error" in group
    message = group.index("check the last digit")
    assert message < group.index("<input")  # above the input
    assert re.search(r'<input[^>]*aria-describedby="[^"]*nhs-error', group)
    assert 'value="9434765918"' in group  # what was typed stays
    assert re.search(r'id="nhs-live"[^>]*>Error: This NHS number is not valid', html)
    assert "upn-error" not in html  # only the field left is judged
    assert "<html" not in html
    good = client.post("/children/validate/identifiers/nhs", data={"nhs": "9434765919"},
                       headers=headers).get_data(as_text=True)
    assert "govuk-form-group--error" not in good
    assert re.search(r'id="nhs-live"[^>]*></div>', good)


def test_sensitive_service_without_consent_is_refused(app):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    url = _start(client)
    _post(client, url, DETAILS)
    services = url.replace("details", "services")
    response = _post(client, services, {"service_type": "sexual_health",
                                        "service_name": "Brook clinic"})
    assert response.status_code == 422
    assert "recorded only with consent" in response.get_data(as_text=True)


def test_whole_flow_saves_child_carers_services_and_audits(app):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    url = _start(client)
    assert _post(client, url, DETAILS).status_code == 302
    assert _post(client, url.replace("details", "identifiers"),
                 {"nhs": "943 476 5919", "upn": "b801200005001"}).status_code == 302
    carers = url.replace("details", "carers")
    for name in ("Sarah O'Neill", "Liam O'Neill"):
        assert _post(client, carers, {"name": name, "relationship": "Parent",
                                      "parental_responsibility": "yes"}).status_code == 302
    services = url.replace("details", "services")
    for kind, name in (("gp_practice", "Riverside Surgery"),
                       ("education_setting", "Hilltop School")):
        assert _post(client, services, {"service_type": kind,
                                        "service_name": name}).status_code == 302
    assert _post(client, services, {
        "service_type": "mental_health", "service_name": "Bristol CAMHS",
        "consent_given_by": "Sarah O'Neill", "consent_relationship": "Mother",
        "consent_date": ["1", "2", "2026"]}).status_code == 302
    check = url.replace("details", "check")
    page = client.get(check).get_data(as_text=True)
    assert "Bristol CAMHS" in page and "14 February 2016" in page
    saved = _post(client, check, {})
    assert saved.status_code == 302 and saved.location.endswith("/children/")
    assert count(app, Child) == 1 and count(app, Identifier) == 2
    assert count(app, Involvement) == 3 and count(app, ChildDraft) == 0
    created = events(app, "child.created")
    assert len(created) == 1 and created[0].child_id is not None
    listing = client.get("/children/").get_data(as_text=True)
    assert "Amelia O&#39;Neill" in listing and "14 February 2016" in listing


def test_someone_elses_draft_is_not_found(app):
    sam, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    kim, _ = person(app, "data_entry", "Hilltop School", "kim@hilltop.example")
    url = _start(sam)
    assert kim.get(url).status_code == 404


def test_entering_a_duplicate_offers_the_existing_record(app):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")

    def enter(family, services=()):
        url = _start(client)
        _post(client, url, {**DETAILS, "family_name": family})
        for kind, name in services:
            _post(client, url.replace("details", "services"),
                  {"service_type": kind, "service_name": name})
        return url, _post(client, url.replace("details", "check"), {})

    enter("O'Neill")
    url, response = enter("ONeill", [("youth_support", "Youth Hub")])
    assert response.location.endswith("/matches")
    page = client.get(response.location).get_data(as_text=True)
    assert "may already have a record" in page
    assert "same date of birth, same family name, same given name" in page.lower()
    existing = re.search(r'name="decision" type="radio" value="(\d+)"', page).group(1)
    chosen = _post(client, response.location, {"decision": existing})
    assert chosen.status_code == 302
    assert count(app, Child) == 1 and count(app, Involvement) == 1
    assert events(app, "child.matched_existing")
    _, response = enter("O'Neil")
    different = _post(client, response.location, {"decision": "different"})
    assert different.status_code == 302 and count(app, Child) == 2
    with app.app_context():
        from app.extensions import db
        from app.models import AuditDetail
        last = events(app, "child.created")[-1]
        body = db.session.get(AuditDetail, last.seq).body
    assert f'"not_same_as":[{existing}]' in body  # the decision is recorded


def test_requesters_and_setting_admins_cannot_enter_children(app):
    requester, _ = person(app, "requester", "Hilltop School", "req@hilltop.example")
    assert requester.get("/children/").status_code == 403
    admin, _ = person(app, "admin", "Village Nursery", "boss@village.example")
    # the first organisation (Hilltop) is the host; Village's admin is a setting admin
    assert admin.get("/children/").status_code == 403


def test_abandoned_drafts_expire_after_a_day(app):
    from app.extensions import db
    from app.models import User
    from app.services import drafts

    client, user_id = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    url = _start(client)
    _post(client, url, DETAILS)
    draft_id = int(url.split("/")[-2])
    with time_machine.travel("2026-03-03 09:30:00 +0000", tick=True), app.app_context():
        user = db.session.get(User, user_id)
        assert drafts.get_draft(user, draft_id) is None  # over a day old: gone from view
        drafts.new_draft(user)  # starting another clears the old one away
        db.session.commit()
    assert count(app, ChildDraft) == 1


def test_removing_a_carer_or_service_while_adding_asks_first(app):
    """Issue 17 review: "Remove" on the carers and services steps acted in one click. It
    now opens a question, as on a saved record; a POST without the answer removes nothing
    and shows the question."""
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    url = _start(client)
    assert _post(client, url, DETAILS).status_code == 302
    carers, services = url.replace("details", "carers"), url.replace("details", "services")
    for name in ("Sarah O'Neill", "Liam O'Neill"):
        assert _post(client, carers, {"name": name, "relationship": "Parent",
                                      "parental_responsibility": "yes"}).status_code == 302
    assert _post(client, services, {"service_type": "gp_practice",
                                    "service_name": "Riverside Surgery"}).status_code == 302
    for step, name in ((carers, "Sarah O&#39;Neill"), (services, "Riverside Surgery")):
        page = client.get(step).get_data(as_text=True)
        assert f"Yes, remove {name}" in page  # behind a "Remove" that opens it
        assert re.search(r'<details class="govuk-details[^"]*">\s*<summary', page)
        unasked = _post(client, f"{step}/0/remove", {})
        assert unasked.status_code == 302 and unasked.location.endswith(f"{step}?remove=0")
        asked = client.get(unasked.location).get_data(as_text=True)
        assert re.search(r'<details class="govuk-details[^"]*" open>', asked)
        assert f"Yes, remove {name}" in asked  # nothing was removed
    page = client.get(carers).get_data(as_text=True)
    assert "Sarah O&#39;Neill" in page and "Liam O&#39;Neill" in page
    assert "Yes, remove Riverside Surgery" in client.get(services).get_data(as_text=True)
    assert _post(client, f"{carers}/0/remove", {"confirm": "yes"}).status_code == 302
    page = client.get(carers).get_data(as_text=True)
    assert "Sarah O&#39;Neill" not in page and "Liam O&#39;Neill" in page
    assert _post(client, f"{services}/0/remove", {"confirm": "yes"}).status_code == 302
    assert "Yes, remove Riverside Surgery" not in client.get(services).get_data(as_text=True)


def test_check_your_answers_shows_the_nhs_number_in_its_groups(app):
    """Issue 17 review: the record shows 943 476 5919, Check your answers 9434765919; and
    going back to the step shows the groups too."""
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    url = _start(client)
    assert _post(client, url, DETAILS).status_code == 302
    identifiers = url.replace("details", "identifiers")
    assert _post(client, identifiers, {"nhs": "9434765919"}).status_code == 302
    check = client.get(url.replace("details", "check")).get_data(as_text=True)
    assert "943 476 5919" in check and "9434765919" not in check
    assert 'value="943 476 5919"' in client.get(identifiers).get_data(as_text=True)
