"""The disclosure policy as a table: role x shielded x sensitive service x every output.

Marker values are seeded into the record; each output is checked for each marker against
what the policy says that viewer may see. Searching by a withheld value must find nothing.
"""

from __future__ import annotations

import itertools

import pytest

from app.extensions import db
from app.models import Child, ShieldCategory, User
from app.services import shielding
from tests.conftest import csrf_token
from tests.integration.children_helpers import CONSENT, details, make_child, open_record, person

M = {"street": "7 Marigold Crescent", "postcode": "ZZ9 9ZZ", "town": "Puddlecombe",
     "school": "Quillfeather Academy", "school_phone": "01632 960 777",
     "carer_phone": "07700 900 555", "previous": "Brownlow", "camhs": "Zephyr CAMHS Team"}
WHEREABOUTS = ["street", "postcode", "town", "school", "school_phone", "carer_phone", "previous"]
ROLES = ["manager", "recording_practitioner", "other_practitioner", "recording_data_entry",
         "other_data_entry", "requester", "setting_admin"]


def _record(sensitive: bool):
    services = [{"service_type": "education_setting", "service_name": M["school"],
                 "phone": M["school_phone"]}]
    if sensitive:
        services.append({"service_type": "mental_health", "service_name": M["camhs"],
                         **CONSENT})
    return {"details": details(other_names=M["previous"], address_line1=M["street"],
                               town=M["town"], postcode=M["postcode"]),
            "identifiers": {"upn": "B801200005001"},
            "carers": [{"name": "Sarah O'Neill", "relationship": "Mother",
                        "parental_responsibility": "yes", "address": None,
                        "phone": M["carer_phone"], "email": None}],
            "services": services}


def _world(app, shielded: bool, sensitive: bool):
    people = {
        "manager": person(app, "admin", "County Council", "manager@county.example"),
        "recording_data_entry": person(app, "data_entry", "Hilltop School", "sam@hill.example"),
        "recording_practitioner": person(app, "practitioner", "Hilltop School",
                                         "head@hill.example"),
        "other_practitioner": person(app, "practitioner", "Riverside Youth", "ola@river.example"),
        "other_data_entry": person(app, "data_entry", "Riverside Youth", "dee@river.example"),
        "requester": person(app, "requester", "Riverside Youth", "req@river.example"),
        "setting_admin": person(app, "admin", "Riverside Youth", "boss@river.example"),
    }
    full = {**_record(sensitive)}
    full["services"] = [{"practitioner_name": None, "practitioner_role": None, "email": None,
                         "address": None, "start_date": None, "lead_professional": False,
                         "caf_completed": False, "consent_given_by": None,
                         "consent_relationship": None, "consent_date": None, **s}
                        for s in full["services"]]
    child_id = make_child(app, people["recording_data_entry"][1], data=full)
    if shielded:
        with app.app_context():
            shielding.request(db.session.get(User, people["recording_practitioner"][1]),
                              db.session.get(Child, child_id), ShieldCategory.domestic_violence,
                              "Fled to a refuge")
            db.session.commit()
    return people, child_id


def _may_see(role: str, shielded: bool, marker: str) -> bool:
    if role == "manager":
        return True
    if role in ("requester", "setting_admin", "other_data_entry"):
        return False
    if shielded:
        return False
    if marker == "camhs":  # sensitive: only its recording organisation (and management)
        return role in ("recording_practitioner", "recording_data_entry")
    return True


def _outputs(client, role, child_id):
    """Every output this viewer can reach that could carry the child's data."""
    out = {}
    record = open_record(client, child_id)
    out["record page"] = (record.status_code, record.get_data(as_text=True))
    for page in ("details", "identifiers"):
        response = open_record(client, child_id, page=page)
        out[f"{page} page"] = (response.status_code, response.get_data(as_text=True))
    token = csrf_token(client, "/")
    for label, fields in (("search rows", {"family_name": "O'Neill",
                                           "date_of_birth": ["14", "2", "2016"]}),):
        for htmx in (False, True):
            response = client.post("/search", data={**fields, "csrf_token": token},
                                   headers={"HX-Request": "true"} if htmx else {})
            out[f"{label}{' (htmx)' if htmx else ''}"] = (response.status_code,
                                                         response.get_data(as_text=True))
    listing = client.get("/children/")
    out["own list"] = (listing.status_code, listing.get_data(as_text=True))
    history = client.get("/account/history")
    out["own history"] = (history.status_code, history.get_data(as_text=True))
    requests = client.get("/contact-requests")
    out["own contact requests"] = (requests.status_code, requests.get_data(as_text=True))
    out["duplicate warning"] = _matches_page(client)
    if role == "manager":
        export = client.post("/audit/export", data={"csrf_token": token})
        out["audit CSV"] = (export.status_code, export.get_data(as_text=True))
    return out


def _matches_page(client):
    """Enter the same child again and read the duplicate warning."""
    start = client.post("/children/new", data={"csrf_token": csrf_token(client, "/")})
    if start.status_code != 302:
        return start.status_code, start.get_data(as_text=True)
    url = start.location
    client.post(url, data={"given_names": "Amelia", "family_name": "ONeill", "gender": "female",
                           "date_of_birth": ["14", "2", "2016"],
                           "csrf_token": csrf_token(client, "/")})
    check = client.post(url.replace("details", "check"), data={"csrf_token": csrf_token(
        client, "/")})
    page = client.get(check.location)
    return page.status_code, page.get_data(as_text=True)


@pytest.mark.parametrize("shielded,sensitive", list(itertools.product([False, True],
                                                                      [False, True])))
def test_disclosure_table(app, shielded, sensitive):
    people, child_id = _world(app, shielded, sensitive)
    markers = WHEREABOUTS + (["camhs"] if sensitive else [])
    for role in ROLES:
        client = people[role][0]
        for output, (status, body) in _outputs(client, role, child_id).items():
            if status >= 300:  # refused, or an error page: it must carry nothing either
                for marker in markers:
                    assert M[marker] not in body, (role, output, status, marker)
                continue
            for marker in markers:
                if output.startswith("search rows") or output in ("own list",
                                                                  "duplicate warning"):
                    allowed = marker == "town" and _may_see(role, shielded, marker)
                else:
                    allowed = _may_see(role, shielded, marker)
                if not allowed:
                    assert M[marker] not in body, (role, shielded, sensitive, output, marker)
            if output == "record page" and role in ("recording_practitioner", "manager"):
                for marker in markers:  # and what the policy allows does appear
                    if _may_see(role, shielded, marker) and marker != "town":
                        assert M[marker] in body, (role, output, marker)


@pytest.mark.parametrize("shielded", [False, True])
def test_searching_by_a_withheld_value_finds_nothing(app, shielded):
    people, _ = _world(app, shielded, False)
    searches = {"district": {"family_name": "O'Neill", "given_names": "Amelia",
                             "district": "ZZ9"},
                "previous name": {"family_name": M["previous"],
                                  "date_of_birth": ["14", "2", "2016"]}}
    for role in ("other_practitioner", "recording_practitioner", "manager"):
        client = people[role][0]
        for label, fields in searches.items():
            body = client.post("/search", data={**fields, "csrf_token": csrf_token(
                client, "/")}).get_data(as_text=True)
            found = "1 child matches" in body
            assert found == (role == "manager" or not shielded), (role, label, shielded)
