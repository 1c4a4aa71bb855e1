"""Subject access intake, checks and the clock (the report comes next)."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from app.extensions import db
from app.models import SubjectAccessRequest
from tests.conftest import csrf_token
from tests.integration.children_helpers import events, make_child, person


def _log(client, child_id, received=("31", "1", "2026"), id_needed=False):
    data = {"child": str(child_id), "requester_name": "Sarah O'Neill",
            "requester_relationship": "parent", "channel": "letter",
            "received_on": list(received), "csrf_token": csrf_token(client, "/")}
    if id_needed:
        data["id_needed"] = "y"
    return client.post("/subject-access/new", data=data)


def test_only_the_management_team(app):
    head, head_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    child_id = make_child(app, head_id)
    assert head.get("/subject-access").status_code == 403
    assert _log(head, child_id).status_code == 403


def test_intake_and_the_deadline_across_a_weekend(app):
    with time_machine.travel(datetime(2026, 2, 2, 10, tzinfo=UTC), tick=True):
        manager, manager_id = person(app, "admin", "County Council", "manager@county.example")
        child_id = make_child(app, manager_id)
        response = _log(manager, child_id)
        assert response.status_code == 302
        page = manager.get(response.location).get_data(as_text=True)
        assert '"due">2 March 2026' in page  # 28 February 2026 is a Saturday
        board = manager.get("/subject-access").get_data(as_text=True)
        assert "SAR-00001" in board and "28 days" in board
        assert events(app, "sar.received")[0].child_id == child_id


def test_id_needed_starts_the_clock_on_receipt_of_id(app):
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=UTC), tick=True):
        manager, manager_id = person(app, "admin", "County Council", "manager@county.example")
        child_id = make_child(app, manager_id)
        location = _log(manager, child_id, received=("2", "3", "2026"), id_needed=True).location
        waiting = manager.get(location).get_data(as_text=True)
        assert "The clock starts when proof of identity arrives" in waiting
        # the clock row agrees: it has not started (it said "Running")
        assert 'id="clock">Not started yet' in waiting and "Running" not in waiting
        manager.post(location + "/checks", data={
            "c-identity": "Passport seen in person", "c-responsibility": "Birth certificate",
            "c-id_received_on": ["2", "3", "2026"], "csrf_token": csrf_token(manager, "/")})
        started = manager.get(location).get_data(as_text=True)
        assert "\"due\">2 April 2026" in started and 'id="clock">Running' in started


def test_extension_only_within_the_first_month_and_pauses(app):
    with time_machine.travel(datetime(2026, 3, 3, 10, tzinfo=UTC), tick=True):
        manager, manager_id = person(app, "admin", "County Council", "manager@county.example")
        child_id = make_child(app, manager_id)
        location = _log(manager, child_id).location  # received 31 January, due 2 March
        late = manager.post(location + "/extend", data={
            "x-reason": "Many records", "csrf_token": csrf_token(manager, "/")})
        assert late.status_code == 422 and "within the first month" in late.get_data(
            as_text=True)
        location = _log(manager, child_id, received=("20", "2", "2026")).location
        ok = manager.post(location + "/extend", data={
            "x-reason": "Records held by five organisations",
            "csrf_token": csrf_token(manager, "/")})
        assert ok.status_code == 302
        assert '"due">20 May 2026' in manager.get(location).get_data(as_text=True)
        manager.post(location + "/pause", data={"csrf_token": csrf_token(manager, "/")})
        with app.app_context():
            assert db.session.get(SubjectAccessRequest, 2).paused_on is not None
        assert events(app, "sar.extended") and events(app, "sar.paused")


def test_destruction_takes_subject_access_requests_with_the_child(app):
    from datetime import date

    from app.models import Child
    from app.services import retention

    manager, manager_id = person(app, "admin", "County Council", "manager@county.example")
    child_id = make_child(app, manager_id)
    _log(manager, child_id, received=("2", "11", "2026"))
    with app.app_context():
        retention.archive(db.session.get(Child, child_id), "test",
                          retention._moment(date(2026, 11, 3)))
        db.session.commit()
        assert retention.run(date(2032, 11, 3), dry_run=False).destroyed == [child_id]
        db.session.commit()
        assert db.session.query(SubjectAccessRequest).count() == 0


def _pdf_text(data: bytes) -> str:
    import shutil
    import subprocess

    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is missing: apt-get install poppler-utils"
    return subprocess.run([pdftotext, "-layout", "-", "-"], input=data,  # noqa: S603
                          capture_output=True, check=True).stdout.decode()


SECTIONS = ("The information we hold", "Parents and carers", "Who is working with the child",
            "Who has looked at the record", "Why we hold it", "Where it came from",
            "How long we keep it", "Your rights", "Information Commissioner")


def _report(app, relationship="parent", shielded=False, given="Amelia"):
    from app.models import Child, ShieldCategory, User
    from app.services import shielding
    from tests.integration.children_helpers import CONSENT, MARKERS, details, service

    manager, manager_id = person(app, "admin", "County Council", "manager@county.example")
    _, head_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    child_id = make_child(app, head_id, data={
        "details": details(given=given), "identifiers": {"nhs": "9434765919"},
        "carers": [{"name": "Sarah O'Neill", "relationship": "Mother",
                    "parental_responsibility": "yes", "address": None,
                    "phone": "07700 900 111", "email": None},
                   {"name": "Liam O'Neill", "relationship": "Father",
                    "parental_responsibility": "yes", "address": "3 Far Lane",
                    "phone": "07700 900 222", "email": None}],
        "services": [service(), service("sexual_health", MARKERS["camhs"], **CONSENT)]})
    if shielded:
        with app.app_context():
            shielding.request(db.session.get(User, head_id), db.session.get(Child, child_id),
                              ShieldCategory.domestic_violence, "refuge")
            db.session.commit()
    location = manager.post("/subject-access/new", data={
        "child": str(child_id), "requester_name": "Sarah O'Neill",
        "requester_relationship": relationship, "channel": "letter",
        "received_on": ["2", "11", "2026"], "csrf_token": csrf_token(manager, "/")}).location
    report = manager.get(location + "/report.pdf")
    log = manager.get(location + "/redactions.pdf")
    assert report.status_code == log.status_code == 200
    return _pdf_text(report.data), _pdf_text(log.data), MARKERS


def test_the_report_has_every_section_and_withholds_third_parties(app):
    text, log, markers = _report(app)
    for title in SECTIONS:
        assert title in text, title
    assert "Page 1 of" in text and "943 476 5919" in text
    assert markers["school"] in text and markers["street"] in text
    assert "07700 900 111" in text          # the requester's own details
    assert "07700 900 222" not in text and "3 Far Lane" not in text  # another person's
    assert markers["camhs"] not in text     # sensitive: only for the young person
    assert "3 Far Lane" not in log and "Contact details of Liam O'Neill" in log
    assert events(app, "sar.report_generated")


def test_a_shielded_childs_whereabouts_stay_out_of_a_parents_copy(app):
    text, log, markers = _report(app, shielded=True)
    for marker in (markers["street"], markers["postcode"], markers["school"],
                   markers["phone"], "07700 900 222", "Liam", "Bristol"):
        assert marker not in text, marker
    assert "07700 900 111" in text  # the requester's own details are never withheld
    assert "withheld because sharing it could put someone at risk" in text
    assert "Shielded: the requester may be the person" in log
    text, _, markers = _report_for_young_person(app)
    assert markers["camhs"] in text


def _report_for_young_person(app):
    from tests.integration.children_helpers import MARKERS

    manager = person(app, "admin", "County Council", "manager2@county.example")[0]
    location = manager.post("/subject-access/new", data={
        "child": "1", "requester_name": "Amelia O'Neill", "requester_relationship":
        "young_person", "channel": "email", "received_on": ["2", "11", "2026"],
        "csrf_token": csrf_token(manager, "/")}).location
    return _pdf_text(manager.get(location + "/report.pdf").data), None, MARKERS


def test_a_name_that_looks_like_markup_is_only_text(app):
    text, _, _ = _report(app, given='<img src="file:///etc/passwd">')
    assert '<img src="file:///etc/passwd">' in text
    assert "root:" not in text
