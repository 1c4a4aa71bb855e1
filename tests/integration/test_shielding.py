"""Shields: immediate effect, review deadlines, decisions recorded; brokered contact."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from app.extensions import db
from app.models import Child, ContactRequest, Shield, ShieldReview
from app.services.shielding import add_months
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


@pytest.mark.parametrize("start,months,due", [
    (date(2026, 1, 31), 6, date(2026, 7, 31)),
    (date(2026, 8, 31), 6, date(2027, 2, 28)),
    (date(2027, 8, 31), 6, date(2028, 2, 29)),   # leap year
    (date(2028, 2, 29), 6, date(2028, 8, 29)),
    (date(2026, 12, 15), 6, date(2027, 6, 15)),  # across the year end
    (date(2026, 3, 31), 6, date(2026, 9, 30)),
])
def test_six_monthly_review_dates(start, months, due):
    assert add_months(start, months) == due


@pytest.fixture
def world(app):
    manager = person(app, "admin", "County Council", "manager@county.example")
    head = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    entry = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    outsider = person(app, "practitioner", "Riverside Youth", "ola@riverside.example")
    child_id = make_child(app, entry[1], data={
        "details": details(), "services": [service(), service("sexual_health", "Brook Clinic",
                                                               **CONSENT)]})
    return {"manager": manager, "head": head, "entry": entry, "outsider": outsider,
            "child": child_id}


def _shield(client, child_id, category="domestic_violence"):
    page = open_record(client, child_id, page="shield")
    if page.status_code != 200:
        return page
    return client.post(page.request.url, data={"category": category, "reason": "Refuge",
                                               "csrf_token": csrf_token(client, "/")})


def test_any_practitioner_shields_and_it_takes_effect_at_once(app, world):
    outsider = world["outsider"][0]
    before = open_record(outsider, world["child"]).get_data(as_text=True)
    assert MARKERS["street"] in before
    assert _shield(outsider, world["child"]).status_code == 302
    after = open_record(outsider, world["child"]).get_data(as_text=True)
    assert MARKERS["street"] not in after and "Withheld: this record is shielded" in after
    assert MARKERS["phone"] not in after and MARKERS["school"] not in after
    assert "Ask the management team to put you in touch" in after
    manager_view = open_record(world["manager"][0], world["child"]).get_data(as_text=True)
    assert MARKERS["street"] in manager_view and "This record is shielded" in manager_view
    viewed = [e for e in events(app, "child.viewed") if e.shielded]
    assert len(viewed) >= 2  # both looks after the shield are flagged
    with app.app_context():
        shield = db.session.query(Shield).one()
        assert shield.review_due == datetime.now(UTC).date() + timedelta(days=7)


def test_data_entry_cannot_shield_or_edit_a_shielded_record(app, world):
    entry = world["entry"][0]
    assert _shield(entry, world["child"]).status_code == 403
    _shield(world["head"][0], world["child"])
    assert open_record(entry, world["child"], page="details").status_code == 403


def test_reviews_due_overdue_and_decisions(app, world):
    _shield(world["head"][0], world["child"])
    with app.app_context():
        shield_id = db.session.query(Shield).one().id
    later = datetime.now(UTC) + timedelta(days=8)
    with time_machine.travel(later, tick=True):  # 8 days on: the first review is overdue
        manager, _ = person(app, "admin", "County Council", "manager2@county.example")
        home = manager.get("/").get_data(as_text=True)
        assert ">1</span> shield review due within 7 days or overdue</a> " \
            '<strong class="govuk-tag govuk-tag--red">Urgent' in home
        assert "Overdue" in manager.get("/shields").get_data(as_text=True)
        refused = manager.post(f"/shields/{shield_id}", data={
            "decision": "remove", "reason": "", "csrf_token": csrf_token(manager, "/")})
        assert refused.status_code == 422 and "Give the reason" in refused.get_data(
            as_text=True)
        kept = manager.post(f"/shields/{shield_id}", data={
            "decision": "keep", "reason": "Still at risk", "csrf_token": csrf_token(manager, "/")})
        assert kept.status_code == 302
        with app.app_context():
            assert db.session.get(Shield, shield_id).review_due == add_months(later.date(), 6)
        assert "overdue" not in manager.get("/").get_data(as_text=True)
        removed = manager.post(f"/shields/{shield_id}", data={
            "decision": "remove", "reason": "Family moved on; police agree",
            "csrf_token": csrf_token(manager, "/")})
        assert removed.status_code == 302
    with app.app_context():
        assert not db.session.get(Child, world["child"]).shielded
    assert count(app, ShieldReview) == 2
    assert events(app, "shield.kept") and events(app, "shield.removed")


def test_home_counts_reviews_as_the_daily_email_does(app, world):
    """Issue 17 review: the home page counted only overdue reviews, while the daily email
    counts those due within 7 days or overdue. A new shield's first review is due in 7
    days: both count it, in the same words; it is urgent only once overdue."""
    from app.models import User
    from app.services import notifications

    _shield(world["head"][0], world["child"])
    manager, manager_id = world["manager"]
    home = manager.get("/").get_data(as_text=True)
    assert re.search(r">1</span> shield review due within 7 days or overdue</a>\s*</li>",
                     home)  # not yet urgent
    with app.app_context():
        digest = notifications.digest_items(db.session.get(User, manager_id))
    assert (1, "shield review due within 7 days or overdue") in digest
    with time_machine.travel(datetime.now(UTC) + timedelta(days=30), tick=True):
        manager, _ = person(app, "admin", "County Council", "manager2@county.example")
        later = manager.get("/").get_data(as_text=True)
    assert ">1</span> shield review due within 7 days or overdue</a> " \
        '<strong class="govuk-tag govuk-tag--red">Urgent' in later

def test_only_management_reviews(app, world):
    _shield(world["head"][0], world["child"])
    head = world["head"][0]
    assert head.get("/shields").status_code == 403
    assert head.post("/shields/1", data={"decision": "remove", "reason": "x",
                                         "csrf_token": csrf_token(head, "/")}).status_code == 403


def test_brokered_contact_for_a_sensitive_service(app, world):
    outsider = world["outsider"][0]
    page = open_record(outsider, world["child"]).get_data(as_text=True)
    assert "Brook Clinic" not in page and "An unspecified service is involved" in page
    with app.app_context():
        from app.models import Involvement
        brook = db.session.query(Involvement).filter_by(service_name="Brook Clinic").one().id
    ask = open_record(outsider, world["child"], page="contact_service", item=brook)
    assert ask.status_code == 200 and "Brook Clinic" not in ask.get_data(as_text=True)
    sent = outsider.post(ask.request.url, data={"message": "Need to coordinate a TAF meeting",
                                                "csrf_token": csrf_token(outsider, "/")})
    assert sent.status_code == 302 and count(app, ContactRequest) == 1
    manager = world["manager"][0]
    broker = manager.get("/contact-requests/1").get_data(as_text=True)
    assert "Brook Clinic" in broker and "Need to coordinate" in broker
    manager.post("/contact-requests/1", data={"outcome": "declined", "note": "Not now",
                                              "csrf_token": csrf_token(manager, "/")})
    mine = outsider.get("/contact-requests").get_data(as_text=True)
    assert "The service decided not to make contact: Not now" in mine
    assert "Brook Clinic" not in mine
    answered = events(app, "contact.answered")
    assert answered[0].on_behalf_of_user_id == world["outsider"][1]
    assert world["head"][0].get("/contact-requests/queue").status_code == 403
