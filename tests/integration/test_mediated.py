"""Mediated access: requesters ask, brokers answer exactly what the rules allow."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from app.extensions import db
from app.models import Child, MediatedRequest, ShieldCategory, User
from app.services import mediated, shielding
from app.services.children import Refused
from tests.conftest import csrf_token
from tests.integration.children_helpers import (
    CONSENT,
    MARKERS,
    ask_for_look_up,
    details,
    events,
    make_child,
    person,
    service,
)


@pytest.fixture
def world(app):
    made = {"manager": person(app, "admin", "County Council", "manager@county.example"),
            "broker": person(app, "practitioner", "Hilltop School", "head@hilltop.example"),
            "other_broker": person(app, "practitioner", "Hilltop School", "dep@hilltop.example"),
            "outsider": person(app, "practitioner", "Riverside Youth", "ola@riverside.example"),
            "requester": person(app, "requester", "Riverside Youth", "nurse@riverside.example"),
            "other_requester": person(app, "requester", "Riverside Youth",
                                      "gp@riverside.example")}
    made["child"] = make_child(app, made["broker"][1], data={
        "details": details(), "identifiers": {"nhs": "9434765919", "upn": "B801200005001"},
        "carers": [{"name": "Sarah O'Neill", "relationship": "Mother",
                    "parental_responsibility": "yes", "address": None,
                    "phone": "07700 900 555", "email": None}],
        "services": [service(), service("mental_health", MARKERS["camhs"], **CONSENT)]})
    return made


def _ask(client, addressed_to=2, urgency="routine"):
    return ask_for_look_up(client, addressed_to, urgency)


def test_urgent_requests_are_told_to_call_999_or_childrens_social_care(app, world):
    """Issue 17: "Urgent: a child may be at risk today" gave no advice at all."""
    requester = world["requester"][0]
    form = requester.get("/requests/new").get_data(as_text=True)
    assert "call 999 now" in form and "children&#39;s social care" in form
    sent = _ask(requester, _hilltop(app), urgency="urgent")
    after = requester.get(sent.location).get_data(as_text=True)
    assert "call 999 now" in after
    routine = requester.get(_ask(requester, _hilltop(app)).location).get_data(as_text=True)
    assert "call 999 now" not in routine


def _request_id(app):
    with app.app_context():
        return db.session.query(MediatedRequest).order_by(MediatedRequest.id.desc()).first().id


def _hilltop(app):
    from app.models import Organisation
    with app.app_context():
        return db.session.query(Organisation).filter_by(name="Hilltop School").one().id


def test_requesters_reach_nothing_but_their_own_requests(app, world):
    requester = world["requester"][0]
    assert _ask(requester, _hilltop(app)).status_code == 302
    request_id = _request_id(app)
    assert requester.get(f"/requests/{request_id}").status_code == 200
    for path in ("/search", "/children/", f"/children/{world['child']}",
                 f"/children/{world['child']}/reason", "/requests/queue", "/audit"):
        for headers in ({}, {"HX-Request": "true"}):
            assert requester.get(path, headers=headers).status_code in (302, 403), path
    other = world["other_requester"][0]
    assert other.get(f"/requests/{request_id}").status_code == 404
    assert other.get(f"/requests/{request_id}/letter.pdf").status_code == 404
    assert other.post(f"/requests/{request_id}/claim",
                      data={"csrf_token": csrf_token(other, "/")}).status_code == 403


def test_two_brokers_claiming_at_once_one_wins(app, world):
    _ask(world["requester"][0], _hilltop(app))
    request_id = _request_id(app)
    with app.app_context():
        first = db.session.get(User, world["broker"][1])
        second = db.session.get(User, world["other_broker"][1])
        item = db.session.get(MediatedRequest, request_id)
        assert mediated.claim(first, item) is True
        assert mediated.claim(second, item) is False
        db.session.commit()
    outsider = world["outsider"][0]
    assert outsider.post(f"/requests/{request_id}/claim",
                         data={"csrf_token": csrf_token(outsider, "/")}).status_code == 403


def _answer(app, world, keys=None, shielded=False):
    _ask(world["requester"][0], _hilltop(app))
    request_id = _request_id(app)
    broker = world["broker"][0]
    if shielded:
        with app.app_context():
            shielding.request(db.session.get(User, world["broker"][1]),
                              db.session.get(Child, world["child"]),
                              ShieldCategory.domestic_violence, "refuge")
            db.session.commit()
    broker.post(f"/requests/{request_id}/claim", data={"csrf_token": csrf_token(broker, "/")})
    work = broker.post(f"/requests/{request_id}/work", data={
        "family_name": "O'Neill", "date_of_birth": ["14", "2", "2016"],
        "csrf_token": csrf_token(broker, "/")})
    assert "Amelia O&#39;Neill" in work.get_data(as_text=True)
    page = broker.get(f"/requests/{request_id}/children/{world['child']}")
    offered = re.findall(r'name="field" type="checkbox" value="([^"]+)"',
                         page.get_data(as_text=True))
    chosen = keys(offered) if keys else offered
    response = broker.post(f"/requests/{request_id}/children/{world['child']}",
                           data={"field": chosen, "csrf_token": csrf_token(broker, "/")})
    return request_id, offered, page.get_data(as_text=True), response


def _pdf_text(client, request_id) -> str:
    response = client.get(f"/requests/{request_id}/letter.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdftotext = shutil.which("pdftotext")  # poppler-utils, installed by .ci/run
    assert pdftotext, "pdftotext is missing: apt-get install poppler-utils"
    return subprocess.run([pdftotext, "-", "-"], input=response.data, capture_output=True,  # noqa: S603
                          check=True).stdout.decode()


def test_answer_discloses_only_what_the_policy_allows(app, world):
    request_id, offered, page, response = _answer(app, world)
    assert response.status_code == 302
    assert "id:NHS number" not in offered and "943 476 5919" not in page  # no NHS number
    assert MARKERS["camhs"] not in page  # sensitive service: unspecified
    requester = world["requester"][0]
    answer = requester.get(f"/requests/{request_id}").get_data(as_text=True)
    assert MARKERS["school"] in answer and MARKERS["camhs"] not in answer
    text = _pdf_text(requester, request_id)
    assert f"MR-{request_id:06d}" in text and "Hilltop School" in text
    assert MARKERS["school"] in text and MARKERS["camhs"] not in text
    assert "Page 1 of 1" in text
    answered = events(app, "mediated.answered")[0]
    assert answered.actor_user_id == world["broker"][1]
    assert answered.on_behalf_of_user_id == world["requester"][1]
    assert answered.reason_category == "mediated_request"
    viewed = [e for e in events(app, "child.viewed") if e.on_behalf_of_user_id]
    assert viewed and viewed[0].on_behalf_of_user_id == world["requester"][1]
    assert events(app, "mediated.letter_downloaded")


def test_a_shielded_childs_whereabouts_are_never_disclosed(app, world):
    request_id, offered, page, _ = _answer(app, world, shielded=True)
    for marker in (MARKERS["street"], MARKERS["postcode"], MARKERS["school"],
                   MARKERS["phone"], "07700 900 555", "Bristol"):
        assert marker not in page
    assert "shielded" in page and "address" not in offered
    text = _pdf_text(world["requester"][0], request_id)
    for marker in (MARKERS["street"], MARKERS["postcode"], MARKERS["school"],
                   MARKERS["phone"], "Bristol"):
        assert marker not in text
    assert "management team can put you in touch" in text


def test_forged_fields_are_refused(app, world):
    _, _, _, response = _answer(app, world, keys=lambda offered: ["id:NHS number", "name"])
    assert response.status_code == 422
    with app.app_context():
        item = db.session.query(MediatedRequest).one()
        assert item.answer is None and item.status.value == "in_progress"
        broker = db.session.get(User, world["broker"][1])
        with pytest.raises(Refused):
            mediated.answer(broker, item, db.session.get(Child, world["child"]), [])


def test_declining_needs_a_reason_and_the_requester_sees_it(app, world):
    _ask(world["requester"][0], _hilltop(app))
    request_id = _request_id(app)
    broker = world["broker"][0]
    broker.post(f"/requests/{request_id}/claim", data={"csrf_token": csrf_token(broker, "/")})
    broker.post(f"/requests/{request_id}/decline", data={
        "confirm": "yes", "d-reason": "", "csrf_token": csrf_token(broker, "/")})
    with app.app_context():
        assert db.session.get(MediatedRequest, request_id).status.value == "in_progress"
    broker.post(f"/requests/{request_id}/decline", data={
        "confirm": "yes", "d-reason": "We cannot identify the child from these details",
        "csrf_token": csrf_token(broker, "/")})
    page = world["requester"][0].get(f"/requests/{request_id}").get_data(as_text=True)
    assert "We cannot identify the child" in page
    assert world["requester"][0].get(f"/requests/{request_id}/letter.pdf").status_code == 404


def test_staff_log_a_request_made_by_phone(app, world):
    broker = world["broker"][0]
    assert _ask(broker, _hilltop(app)).status_code == 302
    created = events(app, "mediated.created")[-1]
    assert created.actor_user_id == world["broker"][1] and created.on_behalf_of_user_id is None
    assert "Nina Nurse" in broker.get("/requests/queue").get_data(as_text=True)


def test_destruction_takes_the_answered_requests_with_the_child(app, world):
    from datetime import date

    from app.services import retention

    request_id, _, _, _ = _answer(app, world)
    with app.app_context():
        child = db.session.get(Child, world["child"])
        retention.archive(child, "test", retention._moment(date(2026, 1, 1)))
        db.session.commit()
        assert retention.run(date(2032, 1, 1), dry_run=False).destroyed == [world["child"]]
        db.session.commit()
        assert db.session.get(MediatedRequest, request_id) is None


def test_requests_closed_without_a_record_are_deleted_a_year_after_closing(app, world):
    from datetime import timedelta

    from app.models import AuditDetail, AuditEvent
    from app.services import retention
    from app.services.clock import now

    broker = world["broker"][0]
    for reason in ("Nobody called Amelia O'Neill here", "Not known to us"):
        _ask(world["requester"][0], _hilltop(app))
        request_id = _request_id(app)
        broker.post(f"/requests/{request_id}/claim", data={"csrf_token": csrf_token(broker, "/")})
        broker.post(f"/requests/{request_id}/decline", data={
            "confirm": "yes", "d-reason": reason, "csrf_token": csrf_token(broker, "/")})
    with app.app_context():
        db.session.get(MediatedRequest, 2).answered_at = now() + timedelta(days=200)
        db.session.commit()
        year_on = now().date() + timedelta(days=366)
        dry = retention.run(year_on, dry_run=True)
        assert dry.requests_deleted == [1] and db.session.get(MediatedRequest, 1) is not None
        report = retention.run(year_on, dry_run=False)
        db.session.commit()
        assert report.requests_deleted == [1]
        assert db.session.get(MediatedRequest, 1) is None
        assert db.session.get(MediatedRequest, 2) is not None  # closed under a year before
        bodies = " ".join(d.body or "" for d in db.session.query(AuditDetail).join(
            AuditEvent, AuditEvent.seq == AuditDetail.event_seq).filter(
            AuditEvent.subject_type == "mediated_request", AuditEvent.subject_id == 1))
        assert "Amelia" not in bodies and "Nobody called" not in bodies
        expired = db.session.query(AuditEvent).filter_by(action="mediated.expired").one()
        assert expired.subject_id == 1 and expired.child_id is None
        assert retention.run(year_on, dry_run=False).requests_deleted == []
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_declining_asks_for_confirmation_on_a_page_of_its_own(app, world):
    """Issue 17 item 2: "Decline the request" closed the request at once. Now the reason
    is shown back on a page of its own, and only "Yes, decline" closes it."""
    _ask(world["requester"][0], _hilltop(app))
    request_id = _request_id(app)
    broker = world["broker"][0]
    broker.post(f"/requests/{request_id}/claim", data={"csrf_token": csrf_token(broker, "/")})
    asked = broker.post(f"/requests/{request_id}/decline", data={
        "d-reason": "We cannot identify the child", "csrf_token": csrf_token(broker, "/")})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Yes, decline the request" in page
    assert 'id="decline-reason">We cannot identify the child<' in page
    assert 'name="d-reason" value="We cannot identify the child"' in page
    with app.app_context():
        assert db.session.get(MediatedRequest, request_id).status.value == "in_progress"
    broker.post(f"/requests/{request_id}/decline", data={
        "confirm": "yes", "d-reason": "We cannot identify the child",
        "csrf_token": csrf_token(broker, "/")})
    with app.app_context():
        assert db.session.get(MediatedRequest, request_id).status.value == "declined"


def test_the_answer_letter_is_marked_and_says_whom_to_tell_if_it_is_wrong(app, world):
    """Issue 17 item 9: the letter lacked a protective marking, the broker's contact and
    what to do if it is wrong."""
    request_id, _, _, _ = _answer(app, world)
    text = _pdf_text(world["requester"][0], request_id)
    assert text.count("OFFICIAL-SENSITIVE") >= 2  # top and foot of the page
    assert "If something here is wrong" in text and "do not act on it" in text
    with app.app_context():
        from app.models import User
        broker = db.session.get(User, world["broker"][1]).name
    assert f"ask for {broker}" in " ".join(text.split())
    assert "call 999" in text


def test_the_answer_letter_gives_the_work_email_of_who_answered(app, world):
    """The letter named the organisation's phone and email (when it has them) but gave no
    way to reach the person it says to ask for. Now their work email, while their
    account is active (a person who has left reads nothing sent to them)."""
    request_id, _, _, _ = _answer(app, world)
    requester = world["requester"][0]
    text = " ".join(_pdf_text(requester, request_id).split())
    assert "Email Head: head@hilltop.example" in text
    assert "Or contact Hilltop School through TeamAround" in text  # it has no phone or email
    with app.app_context():
        db.session.get(User, world["broker"][1]).active = False
        db.session.commit()
    text = " ".join(_pdf_text(requester, request_id).split())
    assert "head@hilltop.example" not in text and "ask for Head" in text
    assert "Contact Hilltop School through TeamAround" in text
