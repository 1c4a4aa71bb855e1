"""Stored documents as a table: requester (the mediated-access requester; a parent, the
young person and someone else asking for a subject access report) x shield x sensitive
service x when the shield comes (never; before the answer; between the answer and its
delivery; after delivery) x every output (answer page, letter PDF, report PDF, the
officer's redaction log).

Each output is checked against the rule for every marker: absent where the rules forbid
it, present where they allow it. check() collects problems instead of stopping at the
first, so that the mutants below can show the table fails when the policy is broken."""

from __future__ import annotations

import itertools
import re

import pytest

from app.extensions import db
from app.models import Child, Organisation, User
from app.services import involvements
from tests.conftest import csrf_token
from tests.integration.children_helpers import (
    CONSENT,
    approve,
    ask_for_look_up,
    check_identity,
    collect_document,
    details,
    make_child,
    open_record,
    person,
)
from tests.integration.children_helpers import set_controller as record_controller
from tests.integration.test_stored_documents import pdf_text, post, shield

M = {"street": "7 Marigold Crescent", "postcode": "ZZ9 9ZZ", "town": "Puddlecombe",
     "previous": "Brownlow", "upn": "B801200005001", "school": "Quillfeather Academy",
     "school_phone": "01632 960 777", "school_org": "Hilltop School",
     "sarah_phone": "07700 900 111", "liam_name": "Liam O'Neill", "liam_phone": "07700 900 222",
     "liam_address": "3 Far Lane", "camhs": "Zephyr CAMHS Team",
     "camhs_org": "Zephyr Health Trust"}
WHEREABOUTS = {"street", "postcode", "town", "previous", "school", "school_phone",
               "sarah_phone", "liam_name", "liam_phone", "liam_address", "school_org",
               "upn"}
SAR_REQUESTERS = {"parent": "Sarah O'Neill", "young_person": "Amelia O'Neill",
                  "other": "Dana Advocate"}
TIMINGS = ["never", "before", "between", "after"]


def allowed(requester: str, marker: str, shielded: bool, sensitive: bool) -> bool:
    """The rule, written out independently of the code under test."""
    if requester == "mediated":  # what a practitioner outside the child's services sees
        if marker in ("camhs", "camhs_org", "previous", "liam_address", "school_org"):
            return False  # never offered (the letter's sender is checked apart)
        return marker == "upn" or not shielded
    hides_place = shielded and requester != "young_person"
    if marker in ("liam_phone", "liam_address"):
        return False  # another person's contact details: never
    if marker == "sarah_phone":
        return requester == "parent"  # her own, whatever the shield
    if marker in ("camhs", "camhs_org") and sensitive:
        return requester == "young_person"  # she consented herself
    return not (hides_place and (marker in WHEREABOUTS or marker == "camhs_org"))


def expected_present(requester: str, marker: str, sensitive: bool) -> bool:
    """Markers that the record carries into this output when allowed."""
    if requester == "mediated":
        return marker not in ("camhs", "camhs_org")
    return marker != "camhs" or sensitive


def _world(app, sensitive: bool):
    people = {"manager": person(app, "admin", "County Council", "manager@county.example"),
              "deputy": person(app, "admin", "County Council", "deputy@county.example"),
              "head": person(app, "practitioner", M["school_org"], "head@hilltop.example"),
              "camhs": person(app, "practitioner", M["camhs_org"], "ola@zephyr.example"),
              "requester": person(app, "requester", "Riverside Youth", "nina@river.example")}
    record_controller(app, people["manager"][1])
    child_id = make_child(app, people["head"][1], data={
        "details": details(other_names=M["previous"], address_line1=M["street"],
                           town=M["town"], postcode=M["postcode"]),
        "identifiers": {"upn": M["upn"]},
        "carers": [{"name": "Sarah O'Neill", "relationship": "Mother",
                    "parental_responsibility": "yes", "address": None,
                    "phone": M["sarah_phone"], "email": None},
                   {"name": M["liam_name"], "relationship": "Father",
                    "parental_responsibility": "yes", "address": M["liam_address"],
                    "phone": M["liam_phone"], "email": None}],
        "services": [{"service_type": "education_setting", "service_name": M["school"],
                      "practitioner_name": "Ms Head", "practitioner_role": "Head teacher",
                      "phone": M["school_phone"], "email": None, "address": None,
                      "start_date": None, "lead_professional": False, "caf_completed": False,
                      "consent_given_by": None, "consent_relationship": None,
                      "consent_date": None}]})
    if sensitive:
        with app.app_context():
            involvements.add_involvement(
                db.session.get(User, people["camhs"][1]), db.session.get(Child, child_id),
                {"service_type": "mental_health", "service_name": M["camhs"], **CONSENT})
            db.session.commit()
    for who in ("head", "camhs"):
        open_record(people[who][0], child_id)
    return people, child_id


def _answer(app, people, child_id) -> int:
    requester, broker = people["requester"][0], people["head"][0]
    with app.app_context():
        hilltop = db.session.query(Organisation).filter_by(name=M["school_org"]).one().id
    ask_for_look_up(requester, hilltop, requester_contact="nina@river.example")
    post(broker, "/requests/1/claim")
    page = broker.get(f"/requests/1/children/{child_id}").get_data(as_text=True)
    offered = re.findall(r'name="field" type="checkbox" value="([^"]+)"', page)
    broker.post(f"/requests/1/children/{child_id}",
                data={"field": offered, "csrf_token": csrf_token(broker, "/")})
    return 1


def _prepare_and_approve(people, location) -> None:
    post(people["manager"][0], location + "/prepare")
    approve(people["deputy"][0], location)


def _release_and_collect(app, people, location):
    """Release by link and download it; returns (collector client, link, passphrase, PDF or
    None when refused)."""
    page = post(people["manager"][0], location + "/release/link").get_data(as_text=True)
    found = re.search(r'id="document-link">http://localhost([^<]+)<', page)
    if not found:
        return None, None, None, None
    link, passphrase = found.group(1), re.search(r'id="passphrase">([0-9-]+)<', page).group(1)
    collector = app.test_client()
    return collector, link, passphrase, _collect(collector, link, passphrase)


def _collect(collector, link, passphrase):
    collector.get(link)
    got = collect_document(collector, passphrase)
    return got.data if got.data[:5] == b"%PDF-" else None


class Table:
    """Collects what each output showed, checked against the rule."""

    def __init__(self, sensitive: bool):
        self.sensitive, self.problems, self.seen = sensitive, [], 0

    def check(self, requester: str, output: str, text: str | None, shielded: bool) -> None:
        """Every marker absent where forbidden and present where allowed."""
        if text is None:
            return
        self.seen += 1
        for marker, value in M.items():
            may = allowed(requester, marker, shielded, self.sensitive)
            if value in text and not may:
                self.problems.append(f"{requester} {output} shows {marker} (shield={shielded})")
            if value not in text and may and expected_present(
                    requester, marker, self.sensitive):
                self.problems.append(f"{requester} {output} lacks {marker} (shield={shielded})")

    def check_log(self, requester: str, text: str, shielded: bool) -> None:
        """The officer's log names what was withheld (organisations), never a contact."""
        for marker in ("liam_phone", "liam_address", "street", "school_phone"):
            if M[marker] in text:
                self.problems.append(f"{requester} log shows the value {marker}")
        for marker in ("school_org", "camhs_org"):
            withheld = not allowed(requester, marker, shielded, self.sensitive)
            if withheld and M[marker] not in text:
                self.problems.append(f"{requester} log does not name withheld {marker}")


def run_table(app, sensitive: bool, timing: str) -> Table:
    """Drive one world through the timing; return the checked table."""
    table = Table(sensitive)
    people, child_id = _world(app, sensitive)
    manager, requester = people["manager"][0], people["requester"][0]
    if timing == "before":
        shield(app, people["head"][1], child_id)
    request_id = _answer(app, people, child_id)
    locations = {kind: _log(manager, child_id, kind) for kind in SAR_REQUESTERS}
    for location in locations.values():
        _prepare_and_approve(people, location)
    if timing == "between":
        shield(app, people["head"][1], child_id)
    shielded = timing in ("before", "between")
    _mediated_outputs(table, requester, request_id, shielded, "")
    links = {}
    for kind, location in locations.items():
        collector, link, passphrase, pdf = _release_and_collect(app, people, location)
        if timing == "between":
            if pdf is not None or "withdrawn" not in manager.get(location).get_data(
                    as_text=True):
                table.problems.append(f"{kind} report prepared before the shield was released")
            _prepare_and_approve(people, location)  # prepared and approved again
            collector, link, passphrase, pdf = _release_and_collect(app, people, location)
        table.check(kind, "report PDF", pdf_text(pdf, flat=True) if pdf else None, shielded)
        table.check_log(kind, pdf_text(manager.get(location + "/redactions.pdf").data, flat=True),
                        shielded)
        links[kind] = (collector, link, passphrase)
    if timing == "after":
        shield(app, people["head"][1], child_id)
        _mediated_outputs(table, requester, request_id, True, " after the shield")
        for kind, (collector, link, passphrase) in links.items():
            again = _collect(collector, link, passphrase) if link else None
            table.check(kind, "report PDF downloaded again", pdf_text(again, flat=True) if again else None,
                        True)
    return table


def _log(manager, child_id, kind) -> str:
    location = manager.post("/subject-access/new", data={
        "child": str(child_id), "requester_name": SAR_REQUESTERS[kind],
        "requester_relationship": kind, "channel": "letter",
        "received_on": ["2", "11", "2026"], "csrf_token": csrf_token(manager, "/")}).location
    check_identity(manager, location)
    return location


def _mediated_outputs(table, requester, request_id, shielded, when) -> None:
    page = requester.get(f"/requests/{request_id}").get_data(as_text=True)
    table.check("mediated", "answer page" + when, page.replace("&#39;", "'"), shielded)
    letter = pdf_text(requester.get(f"/requests/{request_id}/letter.pdf").data, flat=True)
    table.check("mediated", "letter PDF" + when, letter.replace(M["school_org"], ""),
                shielded)


@pytest.mark.parametrize("sensitive,timing", list(itertools.product([False, True], TIMINGS)))
def test_stored_documents_table(app, sensitive, timing):
    table = run_table(app, sensitive, timing)
    assert table.problems == []
    assert table.seen >= 5  # the answer page, the letter and three reports were read


MUTANTS = {
    "no re-check of a stored answer": (
        "app.services.disclosure.still_disclosable",
        lambda stored, child: ([tuple(p[-2:]) for p in stored], 0)),
    "organisations always named": (
        "app.services.disclosure.requester._Policy.may_name", lambda self, org: True),
    "the shield ignored in reports": (
        "app.services.disclosure.requester._Policy.shows_service",
        lambda self, involvement: True),
    "prepared reports never withdrawn": (
        "app.services.sar_release._sound", lambda request: None),
}



@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_the_table_catches_a_broken_policy(sqlite_app, monkeypatch, mutant):
    target, replacement = MUTANTS[mutant]
    monkeypatch.setattr(target, replacement)
    if mutant == "prepared reports never withdrawn":
        monkeypatch.setattr("app.services.stored_documents.facts_changed",
                            lambda *args, **kwargs: None)
    table = run_table(sqlite_app, True, "between" if "withdrawn" in mutant else "after")
    assert table.problems, f"the table did not notice: {mutant}"
