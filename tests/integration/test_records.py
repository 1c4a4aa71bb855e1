"""A child's record: a reason before every page, the disclosure rules, ownership, merging."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AuditEvent,
    Carer,
    Child,
    ChildStatus,
    Identifier,
    Involvement,
    Scheme,
    User,
)
from app.services import children, involvements, matching, merging
from tests.conftest import csrf_token
from tests.integration.children_helpers import (
    CONSENT,
    MARKERS,
    count,
    details,
    events,
    make_child,
    open_record,
    person,
    service,
)

HOST = "County Council"  # first organisation made: the host, whose admins are management


@pytest.fixture
def people(app):
    """Management team, Hilltop School staff, and a practitioner from another setting."""
    made = {}
    made["manager"] = person(app, "admin", HOST, "manager@county.example")
    made["school_admin"] = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    made["school_head"] = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    made["outsider"] = person(app, "practitioner", "Riverside Youth", "ola@riverside.example")
    made["outsider_entry"] = person(app, "data_entry", "Riverside Youth", "dee@riverside.example")
    made["requester"] = person(app, "requester", "Riverside Youth", "req@riverside.example")
    return made


@pytest.fixture
def child_id(app, people):
    """Amelia, entered by Hilltop, with a GP, the school and a consented CAMHS service."""
    return make_child(app, people["school_admin"][1], data={
        "details": details(), "identifiers": {"nhs": "9434765919", "upn": "B801200005001"},
        "carers": [{"name": "Sarah O'Neill", "relationship": "Mother",
                    "parental_responsibility": "yes", "address": None, "phone": "07700 900 982",
                    "email": None}],
        "services": [service("gp_practice", "Riverside Surgery"), service(),
                     service("mental_health", MARKERS["camhs"], **CONSENT)]})


def test_record_needs_a_reason_and_each_view_is_audited(app, people, child_id):
    client = people["school_head"][0]
    first = client.get(f"/children/{child_id}")
    assert first.status_code == 302 and "/reason" in first.location
    page = open_record(client, child_id, category="safeguarding", detail="Worried about attendance")
    assert page.status_code == 200 and "Amelia O&#39;Neill" in page.get_data(as_text=True)
    viewed = events(app, "child.viewed")
    assert len(viewed) == 1 and viewed[0].reason_category == "safeguarding"
    assert viewed[0].child_id == child_id
    app.config["REASON_COVER_MINUTES"] = 0  # no cover: a grant opens its page once
    again = client.get(page.request.url)  # the same grant cannot be spent twice
    assert again.status_code == 302 and "/reason" in again.location
    assert len(events(app, "child.viewed")) == 1


def test_other_needs_words_and_last_reason_is_offered_not_assumed(app, people, child_id):
    client = people["school_head"][0]
    refused = open_record(client, child_id, category="other")
    assert refused.status_code == 422 and "Say why" in refused.get_data(as_text=True)
    open_record(client, child_id, category="coordinating", detail="Team around the family")
    app.config["REASON_COVER_MINUTES"] = 0  # past the reason's cover: asked again
    prompt = client.get(f"/children/{child_id}/reason").get_data(as_text=True)
    assert "The same as last time: Coordinating services for the child" in prompt
    assert "Team around the family" in prompt
    assert prompt.index('value="again"') < prompt.index('value="safeguarding"')  # first
    token = csrf_token(client, f"/children/{child_id}/reason")
    response = client.post(f"/children/{child_id}/reason",
                           data={"category": "again", "csrf_token": token})
    assert client.get(response.location).status_code == 200
    assert [e.reason_category for e in events(app, "child.viewed")] == ["coordinating"] * 2


def test_sensitive_service_shows_only_as_unspecified_outside_its_organisation(
        app, people, child_id):
    outsider = open_record(people["outsider"][0], child_id).get_data(as_text=True)
    assert "An unspecified service is involved" in outsider
    assert MARKERS["camhs"] not in outsider and "Mental health" not in outsider
    own = open_record(people["school_head"][0], child_id).get_data(as_text=True)
    assert MARKERS["camhs"] in own
    manager = open_record(people["manager"][0], child_id).get_data(as_text=True)
    assert MARKERS["camhs"] in manager


def test_nhs_number_only_for_those_who_need_it(app, people, child_id):
    assert "943 476 5919" in open_record(people["school_head"][0], child_id).get_data(
        as_text=True)
    assert "943 476 5919" in open_record(people["manager"][0], child_id).get_data(as_text=True)
    outsider = open_record(people["outsider"][0], child_id).get_data(as_text=True)
    assert "943 476 5919" not in outsider and "B801200005001" in outsider


def test_data_entry_sees_only_its_own_children_and_involvements(app, people, child_id):
    assert open_record(people["outsider_entry"][0], child_id).status_code == 403
    outsider_client, _ = people["outsider"]
    page = open_record(outsider_client, child_id, page="involvement")
    recorded = outsider_client.post(page.request.url, data={
        "service_type": "youth_support", "service_name": "Riverside Youth Club",
        "csrf_token": csrf_token(outsider_client, "/")})
    assert recorded.status_code == 302
    school_entry = open_record(people["school_admin"][0], child_id).get_data(as_text=True)
    assert "Riverside Youth Club" not in school_entry
    assert "1 other service is involved" in school_entry


def test_requesters_cannot_reach_child_pages(app, people, child_id):
    client = people["requester"][0]
    for path in (f"/children/{child_id}", f"/children/{child_id}/reason", "/children/"):
        assert client.get(path).status_code == 403


def _involvement_ids(app, child_id):
    with app.app_context():
        return {i.service_name: (i.id, i.organisation_id) for i in db.session.scalars(
            sa.select(Involvement).where(Involvement.child_id == child_id))}


def test_only_the_recording_organisation_ends_an_involvement(app, people, child_id):
    involvement_id, _ = _involvement_ids(app, child_id)["Riverside Surgery"]
    outsider = people["outsider"][0]
    page = open_record(outsider, child_id)
    refused = outsider.post(f"/children/{child_id}/involvements/{involvement_id}/end?"
                            + page.request.url.split("?")[1],
                            data={"end_date": ["1", "3", "2026"],
                                  "csrf_token": csrf_token(outsider, "/")})
    assert refused.status_code == 403
    head = people["school_head"][0]
    page = open_record(head, child_id)
    ended = head.post(f"/children/{child_id}/involvements/{involvement_id}/end?"
                      + page.request.url.split("?")[1],
                      data={"end_date": ["1", "3", "2026"], "csrf_token": csrf_token(head, "/")})
    assert ended.status_code == 302
    with app.app_context():
        assert db.session.get(Involvement, involvement_id).end_date == date(2026, 3, 1)
    assert len(events(app, "involvement.ended")) == 1


def test_correcting_details_is_audited_and_refused_to_outsiders(app, people, child_id):
    outsider = people["outsider"][0]
    assert open_record(outsider, child_id, page="details").status_code == 403
    client = people["school_admin"][0]
    page = open_record(client, child_id, page="details")
    assert page.status_code == 200 and "Amelia" in page.get_data(as_text=True)
    response = client.post(page.request.url, data={
        "given_names": "Amelia Rose", "family_name": "O'Neill", "gender": "female",
        "date_of_birth": ["14", "2", "2016"], "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Child, child_id).given_names == "Amelia Rose"
    assert len(events(app, "child.details_changed")) == 1


def test_correcting_identifiers_is_saved_and_audited(app, people, child_id):
    """Found by the form fuzzer: saving the identifiers page failed with a 500 after the
    refactor (issue 14)."""
    client = people["school_admin"][0]
    page = open_record(client, child_id, page="identifiers")
    assert page.status_code == 200
    response = client.post(page.request.url, data={
        "nhs": "943 476 5919", "upn": "Q801200005002", "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302, response.status_code
    with app.app_context():
        held = {i.scheme: i.value for i in db.session.scalars(
            sa.select(Identifier).where(Identifier.child_id == child_id))}
    assert held[Scheme.upn] == "Q801200005002" and held[Scheme.nhs] == "9434765919"
    assert len(events(app, "child.identifiers_changed")) == 1


def test_the_nhs_number_to_correct_is_shown_in_its_groups(app, people, child_id):
    """Issue 17 review: the record shows 943 476 5919; the form to correct it showed
    9434765919. It shows the groups, and saving them unchanged keeps the number."""
    client = people["school_admin"][0]
    page = open_record(client, child_id, page="identifiers")
    assert 'value="943 476 5919"' in page.get_data(as_text=True)
    assert 'value="B801200005001"' in page.get_data(as_text=True)  # others as they are
    assert client.post(page.request.url, data={
        "nhs": "943 476 5919", "upn": "B801200005001", "csrf_token": csrf_token(client, "/")}
    ).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Identifier.value).where(
            Identifier.child_id == child_id, Identifier.scheme == Scheme.nhs)) == "9434765919"

def test_a_failed_change_leaves_the_record_and_the_trail_as_they_were(app, people, child_id):
    client = people["school_admin"][0]
    page = open_record(client, child_id, page="identifiers")
    before = count(app, AuditEvent)
    response = client.post(page.request.url, data={"nhs": "9434765918",
                                                   "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 422
    assert count(app, AuditEvent) == before
    with app.app_context():
        assert db.session.get(Child, child_id).identifier(Scheme.nhs) == "9434765919"


def test_sensitive_involvement_without_consent_is_refused_by_the_service(app, people, child_id):
    with app.app_context():
        user = db.session.get(User, people["outsider"][1])
        child = db.session.get(Child, child_id)
        with pytest.raises(children.Refused, match="consent"):
            involvements.add_involvement(user, child, service("substance_misuse", "Turning Point"))
        db.session.rollback()
    assert count(app, Involvement) == 3


# ---- duplicates and merging -------------------------------------------------------------

@pytest.mark.parametrize("given,family,reason", [
    ("Amelia", "ONeill", "same family name"),
    ("Amelia", "O'Neil", "similar family name"),
    ("O'Neill", "Amelia", "swapped"),
    ("Emilia", "O'Neill", "similar given name"),
])
def test_likely_matches_on_names(app, people, child_id, given, family, reason):
    with app.app_context():
        found = matching.likely_matches(given_names=given, family_name=family,
                                        date_of_birth=date(2016, 2, 14), identifier_values={})
        assert [m.child.id for m in found] == [child_id]
        assert any(reason in r for r in found[0].reasons)
        none = matching.likely_matches(given_names=given, family_name=family,
                                       date_of_birth=date(2016, 2, 15), identifier_values={})
        assert none == []


def test_mohammed_and_muhammad_match(app, people):
    make_child(app, people["school_admin"][1], data={
        "details": details(given="Mohammed", family="Khan"), "services": []})
    with app.app_context():
        found = matching.likely_matches(given_names="Muhammad", family_name="Khan",
                                        date_of_birth=date(2016, 2, 14), identifier_values={})
        assert len(found) == 1


def test_exact_identifier_matches_whatever_the_name(app, people, child_id):
    with app.app_context():
        found = matching.likely_matches(given_names="Zed", family_name="Zebedee",
                                        date_of_birth=date(2010, 1, 1),
                                        identifier_values={Scheme.nhs: "9434765919"})
        assert found[0].child.id == child_id and found[0].reasons == ["same NHS number"]


def _second_amelia(app, people, identifiers):
    return make_child(app, people["outsider"][1], data={
        "details": details(family="ONeill"), "identifiers": identifiers,
        "carers": [{"name": "Liam O'Neill", "relationship": "Father",
                    "parental_responsibility": "yes", "address": None, "phone": None,
                    "email": None}],
        "services": [service("youth_support", "Riverside Youth Club")]})


def test_merge_moves_everything_and_audits(app, people, child_id):
    other = _second_amelia(app, people, {"uln": "1234567899"})
    manager = people["manager"][0]
    page = open_record(manager, child_id, page="merge")
    confirm = manager.post(page.request.url, data={"other": str(other),
                                                   "csrf_token": csrf_token(manager, "/")})
    assert "Merge the records" in confirm.get_data(as_text=True)
    assert [e.child_id for e in events(app, "child.merge_previewed")] == [other]
    done = manager.post(page.request.url, data={"other": str(other), "confirm": "yes",
                                                "csrf_token": csrf_token(manager, "/")})
    assert done.status_code == 302
    with app.app_context():
        kept, gone = db.session.get(Child, child_id), db.session.get(Child, other)
        assert gone.status == ChildStatus.merged and gone.merged_into_id == child_id
        assert {i.scheme.value for i in kept.identifiers} == {"nhs", "upn", "uln"}
        assert len(kept.carers) == 2 and len(kept.involvements) == 4
    assert count(app, Carer) == 2
    assert {e.child_id for e in events(app, "child.merged")} == {child_id, other}


def test_merge_refused_when_identifiers_differ(app, people, child_id):
    other = _second_amelia(app, people, {"nhs": "4010232137"})
    with app.app_context():
        manager = db.session.get(User, people["manager"][1])
        with pytest.raises(children.Refused, match="different values for the NHS number"):
            merging.merge(manager, db.session.get(Child, child_id),
                           db.session.get(Child, other))
        db.session.rollback()
    assert count(app, Identifier, Identifier.child_id == other) == 1


def test_only_management_merges(app, people, child_id):
    other = _second_amelia(app, people, {})
    head = people["school_head"][0]
    assert open_record(head, child_id, page="merge").status_code == 403
    with app.app_context():
        user = db.session.get(User, people["school_head"][1])
        with pytest.raises(children.NotAllowed):
            merging.merge(user, db.session.get(Child, child_id), db.session.get(Child, other))


def test_own_involvements_and_carers_can_be_corrected(app, people, child_id):
    involvement_id, _ = _involvement_ids(app, child_id)["Riverside Surgery"]
    head = people["school_head"][0]
    page = open_record(head, child_id, page="involvement_edit", item=involvement_id)
    assert page.status_code == 200 and "Riverside Surgery" in page.get_data(as_text=True)
    saved = head.post(page.request.url, data={
        "service_type": "gp_practice", "service_name": "Riverside Medical Centre",
        "phone": "01632 960 123", "csrf_token": csrf_token(head, "/")})
    assert saved.status_code == 302
    assert "Riverside Medical Centre" in _involvement_ids(app, child_id)
    assert len(events(app, "involvement.changed")) == 1
    outsider = people["outsider"][0]
    assert open_record(outsider, child_id, page="involvement_edit",
                       item=involvement_id).status_code == 403
    with app.app_context():
        carer_id = db.session.scalar(sa.select(Carer.id).where(Carer.child_id == child_id))
    page = open_record(head, child_id, page="carer_edit", item=carer_id)
    assert "Sarah O&#39;Neill" in page.get_data(as_text=True)
    saved = head.post(page.request.url, data={
        "name": "Sarah O'Neill", "relationship": "Mother", "parental_responsibility": "yes",
        "phone": "07700 900 111", "csrf_token": csrf_token(head, "/")})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Carer, carer_id).phone == "07700 900 111"
    assert open_record(outsider, child_id, page="carer_edit", item=carer_id).status_code == 403
