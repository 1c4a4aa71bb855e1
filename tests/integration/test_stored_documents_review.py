"""Findings of a second, adversarial review of stored documents (issue 12), each a test
that failed before its fix."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AuditEvent,
    Child,
    MediatedRequest,
    Organisation,
    Shield,
    ShieldCategory,
    SubjectAccessRequest,
    User,
)
from app.services import children, disclosure, merging, retention, shielding
from app.services.clock import now
from tests.conftest import csrf_token
from tests.integration.children_helpers import (
    approve,
    ask_for_look_up,
    details,
    make_child,
    service,
)
from tests.integration.test_stored_documents import (
    CAMHS_ORG,
    MARKERS,
    log_request,
    post,
    report_text,
    shield,
    world,  # noqa: F401 (the fixture)
)


def test_a_shielded_childs_leaving_england_is_not_told_to_a_parent(app, world):  # noqa: F811
    with app.app_context():
        manager = db.session.get(User, world["manager"][1])
        children.record_circumstances(manager, db.session.get(Child, world["child"]),
                                       date_of_death=None, left_england_on=date(2025, 3, 3),
                                       stay_until=None, stay_consent=None)
        db.session.commit()
    shield(app, world["head"][1], world["child"])
    flat = " ".join(report_text(app, world)[0].split())
    assert "3 March 2025" not in flat and "left england" not in flat.lower()


def test_a_parent_named_like_the_young_person_does_not_see_her_service(app, world):  # noqa: F811
    text, _ = report_text(app, world, relationship="parent", name="Amelia O'Neill")
    assert MARKERS["camhs"] not in text and CAMHS_ORG not in text


def test_a_parents_own_details_are_hers_under_the_name_on_her_id(app, world):  # noqa: F811
    text, log = report_text(app, world, relationship="parent", name="Mrs Sarah O'Neill")
    assert "07700 900 111" in text, log


def test_the_requesters_entry_can_be_chosen_and_a_prepared_report_follows(app, world):  # noqa: F811
    manager = world["manager"][0]
    location = log_request(manager, world["child"], name="S. Jones")  # no entry matches
    assert "07700 900 111" not in report_text_of(manager, location)
    post(manager, location + "/prepare")
    manager.post(location + "/requester", data={"e-carer": "1",
                                                "csrf_token": csrf_token(manager, "/")})
    with app.app_context():
        item = db.session.get(SubjectAccessRequest, 1)
        assert item.requester_carer_id == 1 and item.status == "open"  # withdrawn
    assert "07700 900 111" in report_text_of(manager, location)


def report_text_of(client, location) -> str:
    from tests.integration.test_stored_documents import pdf_text
    return pdf_text(client.get(location + "/report.pdf").data)


def test_a_shield_merged_into_a_shielded_record_still_protects_the_child(app, world):  # noqa: F811
    refuge = make_child(app, world["head"][1], data={
        "details": details(given="Amelia", dob="2016-02-14"), "identifiers": {},
        "carers": [], "services": [service()]})
    shield(app, world["head"][1], world["child"])
    with app.app_context():
        shielding.request(db.session.get(User, world["head"][1]),
                          db.session.get(Child, refuge), ShieldCategory.adoption,
                          "Adopted")
        db.session.commit()
        manager = db.session.get(User, world["manager"][1])
        merging.merge(manager, db.session.get(Child, refuge),
                       db.session.get(Child, world["child"]))
        db.session.commit()
        assert len(db.session.scalars(sa.select(Shield).where(
            Shield.child_id == refuge, Shield.active.is_(True))).all()) == 2
        first = db.session.scalars(sa.select(Shield).where(Shield.child_id == refuge)).first()
        shielding.review(manager, first, keep=False, reason="Order ended")
        db.session.commit()
        keep = db.session.get(Child, refuge)
        assert keep.shielded
        assert disclosure.project(disclosure.Viewer.outsider(), keep).whereabouts_withheld


def test_a_report_prepared_before_a_merge_is_not_approved_after_it(app, world, monkeypatch):  # noqa: F811
    manager, deputy = world["manager"][0], world["deputy"][0]
    location = log_request(manager, world["child"])
    assert post(manager, location + "/prepare").status_code == 302
    other = make_child(app, world["head"][1], data={
        "details": details(given="Amelia", dob="2016-02-14"), "identifiers": {},
        "carers": [], "services": [service(name="Brook Lane Nursery")]})
    monkeypatch.setattr("app.services.stored_documents.facts_changed",
                        lambda *args, **kwargs: None)  # only the check at delivery is left
    with app.app_context():
        boss = db.session.get(User, world["manager"][1])
        merging.merge(boss, db.session.get(Child, world["child"]),
                       db.session.get(Child, other))
        db.session.commit()
    approve(deputy, location)
    with app.app_context():
        assert db.session.get(SubjectAccessRequest, 1).status == "open"


def test_no_report_is_released_before_identity_is_checked(app, world):  # noqa: F811
    manager, deputy = world["manager"][0], world["deputy"][0]
    location = manager.post("/subject-access/new", data={
        "child": str(world["child"]), "requester_name": "Sarah O'Neill",
        "requester_relationship": "parent", "channel": "email", "id_needed": "y",
        "received_on": ["2", "11", "2026"], "csrf_token": csrf_token(manager, "/")}).location
    assert post(manager, location + "/prepare").status_code == 303
    approve(deputy, location)
    released = post(manager, location + "/release/post")
    assert released.data[:5] != b"%PDF-"
    with app.app_context():
        assert db.session.get(SubjectAccessRequest, 1).status == "open"


def test_erased_details_cannot_be_confirmed_from_their_digest(app, world):  # noqa: F811
    requester, broker = world["requester"][0], world["head"][0]
    with app.app_context():
        hilltop = db.session.query(Organisation).filter_by(name="Hilltop School").one().id
    ask_for_look_up(requester, hilltop)
    post(broker, "/requests/1/claim")
    broker.post("/requests/1/decline", data={"confirm": "yes", "d-reason": "Not known to us",
                                             "csrf_token": csrf_token(broker, "/")})
    with app.app_context():
        retention.run(now().date() + timedelta(days=400), dry_run=False)
        db.session.commit()
        assert db.session.get(MediatedRequest, 1) is None
        created = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "mediated.created", AuditEvent.subject_id == 1))
        guess = json.dumps({"child": "Amelia O'Neill"}, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
        assert created.detail_digest != hashlib.sha256(guess.encode()).hexdigest()
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
