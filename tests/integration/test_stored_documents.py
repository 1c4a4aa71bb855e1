"""Documents that outlive a decision (a mediated answer, a prepared subject access report)
follow the shield and the sensitive-service rule at every delivery; the report's sections
built from the audit trail name no organisation the requester may not know of.

One regression test per finding of the adversarial check (issue 12)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from app.extensions import db
from app.models import Child, Organisation, ShieldCategory, SubjectAccessRequest, User
from app.services import involvements, merging, shielding
from tests.conftest import csrf_token
from tests.integration.children_helpers import (
    CONSENT,
    MARKERS,
    approve,
    ask_for_look_up,
    check_identity,
    collect_document,
    details,
    events,
    make_child,
    open_record,
    person,
    service,
    set_controller,
)

SARAH = {"phone": "07700 900 111", "email": "sarah.oneill@mail.example"}
LIAM = {"name": "Liam O'Neill", "phone": "07700 900 222", "address": "3 Far Lane"}
CAMHS_ORG = "Zephyr Health Trust"
WHEREABOUTS = (MARKERS["street"], MARKERS["postcode"], "Bristol", MARKERS["school"],
               MARKERS["phone"], LIAM["phone"], LIAM["address"], SARAH["phone"])


def pdf_text(data: bytes, *, flat: bool = False) -> str:
    """The text of a PDF (pdftotext, from poppler-utils): laid out as on the page, or flat
    (in the order it was written, every run of white space one space, so that a wrapped
    table cell reads as one line)."""
    assert data[:5] == b"%PDF-", data[:200]
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is missing: apt-get install poppler-utils"
    text = subprocess.run([pdftotext, "-raw" if flat else "-layout", "-", "-"],  # noqa: S603
                          input=data, capture_output=True, check=True).stdout.decode()
    return " ".join(text.split()) if flat else text


def shield(app, user_id, child_id):
    with app.app_context():
        shielding.request(db.session.get(User, user_id), db.session.get(Child, child_id),
                          ShieldCategory.domestic_violence, "Fled to a refuge")
        db.session.commit()


@pytest.fixture
def world(app):
    """A host (County Council), a school that recorded the child, a health trust with a
    consented mental health service, a requester; the school and the trust have looked."""
    made = {"manager": person(app, "admin", "County Council", "manager@county.example"),
            "deputy": person(app, "admin", "County Council", "deputy@county.example"),
            "head": person(app, "practitioner", "Hilltop School", "head@hilltop.example"),
            "camhs": person(app, "practitioner", CAMHS_ORG, "ola@zephyr.example"),
            "requester": person(app, "requester", "Riverside Youth", "nina@riverside.example")}
    set_controller(app, made["manager"][1])
    child_id = make_child(app, made["head"][1], data={
        "details": details(), "identifiers": {"nhs": "9434765919"},
        "carers": [{"name": "Sarah O'Neill", "relationship": "Mother",
                    "parental_responsibility": "yes", "address": None,
                    "phone": SARAH["phone"], "email": SARAH["email"]},
                   {"name": LIAM["name"], "relationship": "Father",
                    "parental_responsibility": "yes", "address": LIAM["address"],
                    "phone": LIAM["phone"], "email": None}],
        "services": [service()]})
    with app.app_context():
        involvements.add_involvement(db.session.get(User, made["camhs"][1]),
                                 db.session.get(Child, child_id),
                                 service("mental_health", MARKERS["camhs"], **CONSENT))
        db.session.commit()
    for who in ("head", "camhs"):
        assert open_record(made[who][0], child_id).status_code == 200
    made["child"] = child_id
    return made


def log_request(client, child_id, relationship="parent", name="Sarah O'Neill", *,
                checked=True) -> str:
    """Log a subject access request (and record the identity checks); returns its page's
    address."""
    response = client.post("/subject-access/new", data={
        "child": str(child_id), "requester_name": name,
        "requester_relationship": relationship, "channel": "letter",
        "requester_address": "1 Station Road\nBath\nBA1 1AA",  # a report may go by post
        "received_on": ["2", "11", "2026"], "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302, response.get_data(as_text=True)
    if checked:
        check_identity(client, response.location)
    return response.location


def post(client, url):
    """A button pressed, and its confirmation page (if any) answered yes."""
    return client.post(url, data={"csrf_token": csrf_token(client, "/"), "confirm": "yes"})


# ---- 1. a mediated answer given before a shield ----------------------------------------

def answer_everything(app, world) -> int:
    """The requester asks the school; the head answers with everything offered."""
    requester, broker = world["requester"][0], world["head"][0]
    with app.app_context():
        hilltop = db.session.query(Organisation).filter_by(name="Hilltop School").one().id
    assert ask_for_look_up(requester, hilltop).status_code == 302
    request_id = 1
    post(broker, f"/requests/{request_id}/claim")
    page = broker.get(f"/requests/{request_id}/children/{world['child']}")
    offered = re.findall(r'name="field" type="checkbox" value="([^"]+)"',
                         page.get_data(as_text=True))
    assert "address" in offered
    done = broker.post(f"/requests/{request_id}/children/{world['child']}",
                       data={"field": offered, "csrf_token": csrf_token(broker, "/")})
    assert done.status_code == 302
    return request_id


def test_an_answer_given_before_a_shield_withholds_whereabouts_after_it(app, world):
    request_id = answer_everything(app, world)
    requester = world["requester"][0]
    before = requester.get(f"/requests/{request_id}").get_data(as_text=True)
    assert MARKERS["street"] in before and MARKERS["school"] in before  # the control
    shield(app, world["head"][1], world["child"])
    after = requester.get(f"/requests/{request_id}").get_data(as_text=True)
    letter = pdf_text(requester.get(f"/requests/{request_id}/letter.pdf").data)
    for marker in WHEREABOUTS:
        assert marker not in after, marker
        assert marker not in letter, marker
    assert "Amelia" in after and "Amelia" in letter  # the name is still theirs to know


# ---- 2. a report prepared before a shield ----------------------------------------------

def test_a_report_prepared_before_a_shield_is_not_released_after_it(app, world):
    manager, deputy = world["manager"][0], world["deputy"][0]
    location = log_request(manager, world["child"])
    assert post(manager, location + "/prepare").status_code == 302
    assert approve(deputy, location).status_code == 302
    shield(app, world["head"][1], world["child"])
    released = post(manager, location + "/release/post")
    if released.data[:5] == b"%PDF-":
        text = pdf_text(released.data)
        for marker in WHEREABOUTS:
            assert marker not in text, marker
    else:  # withdrawn: it must be prepared and approved again, and the page says why
        assert "withdrawn" in manager.get(location).get_data(as_text=True).lower()


def test_a_report_released_by_link_before_a_shield_is_not_downloaded_after_it(app, world):
    manager, deputy = world["manager"][0], world["deputy"][0]
    location = log_request(manager, world["child"])
    post(manager, location + "/prepare")
    approve(deputy, location)
    page = post(manager, location + "/release/link").get_data(as_text=True)
    link = re.search(r'id="document-link">http://localhost([^<]+)<', page).group(1)
    passphrase = re.search(r'id="passphrase">([0-9-]+)<', page).group(1)
    shield(app, world["head"][1], world["child"])
    parent = app.test_client()
    parent.get(link)
    got = collect_document(parent, passphrase)
    if got.data[:5] == b"%PDF-":
        text = pdf_text(got.data)
        for marker in WHEREABOUTS:
            assert marker not in text, marker


# ---- 3 and 4. sections built from the audit trail --------------------------------------

def report_text(app, world, relationship="parent", name="Sarah O'Neill") -> tuple[str, str]:
    manager = world["manager"][0]
    location = log_request(manager, world["child"], relationship, name)
    report, log = manager.get(location + "/report.pdf"), manager.get(location + "/redactions.pdf")
    return pdf_text(report.data), pdf_text(log.data)


def test_a_parents_report_on_a_shielded_child_names_no_organisation(app, world):
    shield(app, world["head"][1], world["child"])
    text, log = report_text(app, world)
    others = [m for m in WHEREABOUTS if m != SARAH["phone"]]
    for marker in (*others, "Hilltop School", CAMHS_ORG, LIAM["name"], MARKERS["camhs"],
                   "Education setting", "Voluntary sector", "Mental health"):
        assert marker not in text, marker
    assert "County Council" in text  # the controller always names itself
    assert SARAH["phone"] in text  # the requester's own details are hers
    assert "Hilltop School" in log and CAMHS_ORG in log  # the officer sees what was withheld


def test_a_parents_report_names_no_sensitive_services_organisation(app, world):
    text, log = report_text(app, world)
    assert "Hilltop School" in text and MARKERS["school"] in text  # the control
    assert CAMHS_ORG not in text and MARKERS["camhs"] not in text
    assert CAMHS_ORG in log


# ---- 5. a young person's report --------------------------------------------------------

def test_a_young_persons_report_withholds_other_peoples_contact_details(app, world):
    text, log = report_text(app, world, relationship="young_person", name="Amelia O'Neill")
    assert "Sarah O'Neill" in text and MARKERS["camhs"] in text  # their own record, in full
    for marker in (SARAH["phone"], SARAH["email"], LIAM["phone"], LIAM["address"]):
        assert marker not in text, marker
    assert "Contact details of Sarah O'Neill" in log


# ---- 6. the board ----------------------------------------------------------------------

def test_an_approved_report_stays_on_the_board_until_it_is_delivered(app, world):
    manager, deputy = world["manager"][0], world["deputy"][0]
    location = log_request(manager, world["child"])
    post(manager, location + "/prepare")
    assert "SAR-00001" in manager.get("/subject-access").get_data(as_text=True)
    approve(deputy, location)
    board = manager.get("/subject-access").get_data(as_text=True)
    assert "SAR-00001" in board and "Approved" in board


# ---- the rule holds by construction, and for every fact the policy rests on ------------

def prepared_and_approved(world) -> str:
    location = log_request(world["manager"][0], world["child"])
    assert post(world["manager"][0], location + "/prepare").status_code == 302
    assert approve(world["deputy"][0], location).status_code == 302
    return location


def sar_status(app):
    from app.models import SubjectAccessRequest
    with app.app_context():
        item = db.session.get(SubjectAccessRequest, 1)
        return item.status, item.withdrawn_reason, item.report_pdf


def test_a_change_made_outside_the_services_still_withdraws_the_report(app, world):
    import sqlalchemy as sa

    from app.models import Involvement
    location = prepared_and_approved(world)
    with app.app_context():  # as if by a script or a future screen that forgets the rule
        db.session.execute(sa.update(Involvement).where(Involvement.service_name ==
                                                        MARKERS["school"])
                           .values(service_type="sexual_health"))
        db.session.commit()
    refused = post(world["manager"][0], location + "/release/post")
    assert refused.status_code == 303 and refused.data[:5] != b"%PDF-"
    status, reason, pdf = sar_status(app)
    assert status == "open" and "changed after the report was prepared" in reason
    assert pdf is None
    assert events(app, "sar.withdrawn")


def test_consent_changes_withdraw_the_report_and_other_corrections_do_not(app, world):
    from app.models import Involvement
    prepared_and_approved(world)
    with app.app_context():
        school = db.session.query(Involvement).filter_by(service_name=MARKERS["school"]).one()
        head = db.session.get(User, world["head"][1])
        involvements.update_involvement(head, school, service(phone="01632 960 000"))
        db.session.commit()
    assert sar_status(app)[0] == "approved"  # a new phone number changes no decision
    with app.app_context():
        sensitive = db.session.query(Involvement).filter_by(service_type="mental_health").one()
        camhs = db.session.get(User, world["camhs"][1])
        involvements.update_involvement(camhs, sensitive, service(
            "mental_health", MARKERS["camhs"], **{**CONSENT, "consent_given_by": "Sarah O'Neill",
                                                   "consent_relationship": "Mother"}))
        db.session.commit()
    status, reason, _ = sar_status(app)
    assert status == "open" and "consent" in reason


def test_removing_a_shield_and_merging_withdraw_the_report_too(app, world):
    from app.models import Shield
    from app.services import records
    shield(app, world["head"][1], world["child"])
    prepared_and_approved(world)
    with app.app_context():
        manager = db.session.get(User, world["manager"][1])
        shielding.review(manager, db.session.query(Shield).one(), keep=False,
                         reason="Family safe now")
        db.session.commit()
    assert sar_status(app)[1] == "The shield was removed"
    other = make_child(app, world["head"][1], data={
        "details": details(given="Amelia", dob="2016-02-14"), "identifiers": {},
        "carers": [], "services": [service()]})
    location = "/subject-access/1"
    assert post(world["manager"][0], location + "/prepare").status_code == 302
    with app.app_context():
        manager = db.session.get(User, world["manager"][1])
        keep, merged = db.session.get(Child, other), db.session.get(Child, world["child"])
        merging.merge(manager, keep, merged)
        db.session.commit()
        assert records.surviving(db.session.get(Child, world["child"])).id == other
    assert sar_status(app)[1] == "The record was merged with another"


def test_an_answer_about_a_record_merged_into_a_shielded_one_loses_its_whereabouts(app, world):
    request_id = answer_everything(app, world)
    refuge = make_child(app, world["head"][1], data={
        "details": details(given="Amelia", dob="2016-02-14"), "identifiers": {},
        "carers": [], "services": [service()]})
    shield(app, world["head"][1], refuge)
    with app.app_context():
        manager = db.session.get(User, world["manager"][1])
        merging.merge(manager, db.session.get(Child, refuge),
                       db.session.get(Child, world["child"]))
        db.session.commit()
    page = world["requester"][0].get(f"/requests/{request_id}").get_data(as_text=True)
    for marker in WHEREABOUTS:
        assert marker not in page, marker
    assert "no longer available" in page
    restricted = events(app, "mediated.answer_restricted")
    assert restricted and restricted[-1].on_behalf_of_user_id == world["requester"][1]
    viewed = events(app, "mediated.answer_viewed")[-1]
    assert viewed.actor_user_id == world["requester"][1]


def test_the_board_shows_every_request_by_state_until_it_is_delivered(app, world):
    from app.models import SubjectAccessRequest
    manager, deputy = world["manager"][0], world["deputy"][0]
    first = log_request(manager, world["child"], checked=False)  # received
    manager.post("/subject-access/new", data={                   # waiting for ID
        "child": str(world["child"]), "requester_name": "Liam O'Neill",
        "requester_relationship": "parent", "channel": "letter", "id_needed": "y",
        "received_on": ["2", "11", "2026"], "csrf_token": csrf_token(manager, "/")})
    board = manager.get("/subject-access").get_data(as_text=True)
    assert "Received" in board and "Waiting for proof of identity" in board
    check_identity(manager, first)
    assert "Checks done" in manager.get("/subject-access").get_data(as_text=True)
    post(manager, first + "/prepare")
    assert "Waiting for approval" in manager.get("/subject-access").get_data(as_text=True)
    approve(deputy, first)
    assert "Approved: release it" in manager.get("/subject-access").get_data(as_text=True)
    post(manager, first + "/release/link")
    board = manager.get("/subject-access").get_data(as_text=True)
    assert "Released: not yet downloaded" in board and "SAR-00001" in board
    with app.app_context():
        db.session.get(SubjectAccessRequest, 1).delivered_at = db.func.now()
        db.session.commit()
    board = manager.get("/subject-access").get_data(as_text=True)
    assert "SAR-00001" not in board and "SAR-00002" in board


def test_the_report_is_a_letter_that_can_be_posted(app, world):
    """Issue 17 item 9: the report had no recipient address and no signatory although
    "print and post" is an option. Now page 1 is a letter: letterhead, the requester's
    name and postal address (for a window envelope), the date, who signs for the
    organisation."""
    manager = world["manager"][0]
    response = manager.post("/subject-access/new", data={
        "child": str(world["child"]), "requester_name": "Sarah O'Neill",
        "requester_address": "7 Marigold Crescent\nBristol\nZZ9 9ZZ",
        "requester_relationship": "parent", "channel": "letter",
        "received_on": ["2", "11", "2026"], "csrf_token": csrf_token(manager, "/")})
    location = response.location
    assert "7 Marigold Crescent" in manager.get(location).get_data(as_text=True)
    check_identity(manager, location)
    assert post(manager, location + "/prepare").status_code == 302
    with app.app_context():
        document = db.session.get(SubjectAccessRequest, 1).report_pdf
        signatory = db.session.get(User, world["manager"][1]).name
    first_page = pdf_text(document).split("\f")[0]
    lines = [line.strip() for line in first_page.splitlines() if line.strip()]
    assert lines[:2] == ["County Council", "County Hall, 1 High Street, Exeter EX1 1AA"]
    assert lines[2:5] == ["Sarah O'Neill", "7 Marigold Crescent", "Bristol"], lines[:8]
    assert "Dear Sarah O'Neill," in lines and "Yours sincerely," in lines
    assert lines[lines.index("Yours sincerely,") + 1:][:2] == [signatory, "for County Council"]
