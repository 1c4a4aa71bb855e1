"""Regression tests for the second review: each of these once let something through."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Child, ChildStatus, Involvement, Shield, ShieldCategory, User
from app.services import administration, enrolment, merging, retention, shielding
from app.services.children import Refused
from tests.conftest import csrf_token
from tests.integration.children_helpers import (
    MARKERS,
    details,
    events,
    make_child,
    open_record,
    person,
    service,
)


def _user(app, user_id):
    return db.session.get(User, user_id)


def test_a_shield_survives_a_merge(app):
    _, manager_id = person(app, "admin", "County Council", "manager@county.example")
    _, head_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    outsider, _ = person(app, "practitioner", "Riverside Youth", "ola@riverside.example")
    shielded = make_child(app, head_id)
    plain = make_child(app, head_id, data={"details": details(address_line1=None,
                                                              postcode=None), "services": []})
    with app.app_context():
        shielding.request(_user(app, head_id), db.session.get(Child, shielded),
                          ShieldCategory.domestic_violence, "refuge")
        merging.merge(_user(app, manager_id), db.session.get(Child, plain),
                       db.session.get(Child, shielded))
        db.session.commit()
        assert db.session.get(Child, plain).shielded
        assert db.session.scalar(sa.select(Shield.child_id)) == plain
    page = open_record(outsider, plain).get_data(as_text=True)
    assert MARKERS["school"] not in page and MARKERS["phone"] not in page


def test_destruction_follows_a_chain_of_merges(app):
    _, manager_id = person(app, "admin", "County Council", "manager@county.example")
    a, b, c = (make_child(app, manager_id, data={"details": details(given=g), "services": []})
               for g in ("Ann", "Bea", "Cat"))
    with app.app_context():
        manager = _user(app, manager_id)
        merging.merge(manager, db.session.get(Child, b), db.session.get(Child, a))
        merging.merge(manager, db.session.get(Child, c), db.session.get(Child, b))
        retention.archive(db.session.get(Child, c), "test", retention._moment(date(2026, 1, 1)))
        db.session.commit()
        report = retention.run(date(2032, 1, 1), dry_run=False)
        db.session.commit()
        assert report.destroyed == [c]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Child)) == 0


def test_the_duplicate_warning_is_no_nhs_number_lookup(app):
    _, head_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    child_id = make_child(app, head_id)
    outsider, _ = person(app, "practitioner", "Riverside Youth", "ola@riverside.example")
    start = outsider.post("/children/new", data={"csrf_token": csrf_token(outsider, "/")})
    url = start.location
    outsider.post(url, data={"given_names": "X", "family_name": "Y", "gender": "male",
                             "date_of_birth": ["1", "1", "2020"],
                             "csrf_token": csrf_token(outsider, "/")})
    outsider.post(url.replace("details", "identifiers"), data={
        "nhs": "9434765919", "csrf_token": csrf_token(outsider, "/")})
    check = outsider.post(url.replace("details", "check"),
                          data={"csrf_token": csrf_token(outsider, "/")})
    page = outsider.get(check.location).get_data(as_text=True)
    assert "O&#39;Neill" not in page and "1 other record" in page
    assert f'value="{child_id}"' not in page


def test_reenrolment_honours_the_lockout(app):
    _, admin_id = person(app, "admin", "Hilltop School", "boss@hilltop.example")
    _, user_id = person(app, "practitioner", "Hilltop School", "pat@hilltop.example")
    with app.app_context():
        administration.reset_authenticator(_user(app, admin_id), _user(app, user_id),
                                           "lost phone")
        user = _user(app, user_id)
        user.pending_totp_enc = user.totp_secret_enc
        user.locked_until = retention._moment(date(2099, 1, 1))
        db.session.commit()
        assert enrolment.complete_reenrolment(_user(app, user_id), "plum orbit lantern gravel",
                                              "123456") is None


def test_no_self_certification_and_nominations_can_be_withdrawn(app):
    admin, admin_id = person(app, "admin", "Hilltop School", "boss@hilltop.example")
    _, staff_id = person(app, "practitioner", "Hilltop School", "pat@hilltop.example")
    with app.app_context(), pytest.raises(Refused):
        administration.update_eligibility(_user(app, admin_id), _user(app, admin_id),
                                          role_category=None, training_on=None, dbs_on=None,
                                          nominate=True)
    response = admin.post(f"/admin/users/{staff_id}/eligibility", data={
        "e-role_category": "other", "e-training": ["1", "1", "2026"],
        "e-dbs": ["1", "1", "2026"], "e-nominate": "no", "csrf_token": csrf_token(admin, "/")})
    assert response.status_code == 302
    with app.app_context():
        assert _user(app, staff_id).nominated_at is None


def test_archived_contact_details_cannot_be_edited(app):
    head, head_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    child_id = make_child(app, head_id, data={"details": details(dob="2015-01-01"),
                                              "services": [service()]})
    with app.app_context():
        involvement = db.session.scalar(sa.select(Involvement))
        involvement.end_date = date(2020, 1, 1)
        db.session.commit()
        retention.run(date(2021, 1, 1), dry_run=False)
        db.session.commit()
        involvement_id = involvement.id
    response = open_record(head, child_id, page="involvement_edit", item=involvement_id)
    assert response.status_code == 403


def test_archive_closes_shields_and_requests_and_listing_is_audited(app):
    manager, _ = person(app, "admin", "County Council", "manager@county.example")
    _, head_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    child_id = make_child(app, head_id, data={"details": details(dob="2008-01-01"),
                                              "services": []})
    with app.app_context():
        shielding.request(_user(app, head_id), db.session.get(Child, child_id),
                          ShieldCategory.other, "x")
        db.session.commit()
        retention.run(date(2026, 6, 1), dry_run=False)
        db.session.commit()
        assert db.session.get(Child, child_id).status == ChildStatus.archived
        assert shielding.overdue_count() == 0
    manager.get("/archive")
    assert events(app, "archive.listed")
    assert manager.get("/audit?page=9223372036854775807").status_code == 200
