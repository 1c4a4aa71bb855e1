"""Retention: awkward dates, dry runs, all-or-nothing runs, destruction that leaves nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Child, ChildStatus, Involvement, User
from app.services import retention, shielding
from app.services.retention import anniversary
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


@pytest.mark.parametrize("born,years,expected", [
    (date(2008, 2, 29), 18, date(2026, 3, 1)),   # no 29 February in 2026: 1 March
    (date(2012, 2, 29), 18, date(2030, 3, 1)),
    (date(2008, 2, 28), 18, date(2026, 2, 28)),
    (date(2008, 3, 1), 18, date(2026, 3, 1)),
    (date(2010, 12, 31), 18, date(2028, 12, 31)),
    (date(2024, 2, 29), 6, date(2030, 3, 1)),
    (date(2020, 2, 29), 4, date(2024, 2, 29)),   # a leap year has its 29 February
])
def test_anniversaries(born, years, expected):
    assert anniversary(born, years) == expected


def _child(app, user_id, **extra):
    child_id = make_child(app, user_id, data={
        "details": details(dob=extra.pop("dob", "2008-02-29")),
        "identifiers": {"nhs": "9434765919"},
        "carers": [{"name": "Sarah O'Neill", "relationship": "Mother",
                    "parental_responsibility": "yes", "address": None,
                    "phone": MARKERS["phone"], "email": None}],
        "services": [service(), service("mental_health", MARKERS["camhs"], **CONSENT)]})
    if extra:
        with app.app_context():
            child = db.session.get(Child, child_id)
            for name, value in extra.items():
                setattr(child, name, value)
            db.session.commit()
    return child_id


def _run(app, day, dry_run=False):
    with app.app_context():
        report = retention.run(day, dry_run=dry_run)
        (db.session.rollback if dry_run else db.session.commit)()
        return report


def _status(app, child_id):
    with app.app_context():
        child = db.session.get(Child, child_id)
        return child.status if child else None


def test_archived_on_the_18th_birthday_with_leap_day_rule(app):
    _, user_id = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    child_id = _child(app, user_id)  # born 29 February 2008
    assert _run(app, date(2026, 2, 28)).archived == {}
    assert _status(app, child_id) == ChildStatus.active
    assert _run(app, date(2026, 3, 1)).archived == {"18th birthday": [child_id]}
    assert _status(app, child_id) == ChildStatus.archived
    assert _run(app, date(2026, 3, 1)).archived == {}  # idempotent


def test_consent_to_stay_death_and_leaving_england(app):
    _, user_id = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    staying = _child(app, user_id, dob="2008-06-15", stay_until=date(2033, 6, 15),
                     stay_consent="Care leaver; consent from the young person, 1 May 2026")
    died = _child(app, user_id, dob="2015-01-31", date_of_death=date(2025, 1, 31))
    left = _child(app, user_id, dob="2016-05-05", left_england_on=date(2026, 4, 30))
    report = _run(app, date(2026, 6, 15))
    assert report.archived == {"one year after death": [died], "left England": [left]}
    assert _status(app, staying) == ChildStatus.active
    assert _run(app, date(2033, 6, 15)).archived == {"consent to stay ended": [staying]}


def test_destroyed_six_years_after_archiving_leaving_nothing_but_a_tombstone(app, runner):
    person(app, "admin", "County Council", "manager@county.example")
    client, user_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    child_id = _child(app, user_id)
    client.post("/search", data={"family_name": "O'Neill", "date_of_birth": ["29", "2", "2008"],
                                 "csrf_token": csrf_token(client, "/")})
    with app.app_context():  # free text that names where the child is, in an audit detail
        shielding.request(db.session.get(User, user_id), db.session.get(Child, child_id),
                          shielding.ShieldCategory.other, f"Moved to {MARKERS['street']}")
        db.session.commit()
    _run(app, date(2026, 3, 1))
    assert _run(app, date(2032, 2, 29)).destroyed == []  # 6 years after 1 March 2026 ...
    report = _run(app, date(2032, 3, 1))                 # ... is 1 March 2032
    assert report.destroyed == [child_id]
    assert _status(app, child_id) is None
    assert events(app, "child.destroyed")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    _assert_no_markers_anywhere(app)


def _assert_no_markers_anywhere(app):
    """Scan every column of every table for anything that identified the child."""
    markers = [MARKERS["street"], MARKERS["postcode"], MARKERS["phone"], MARKERS["school"],
               MARKERS["camhs"], "O'Neill", "ONeill", "oneill", "Amelia", "9434765919",
               "Sarah"]
    with app.app_context():
        inspector = sa.inspect(db.engine)
        for table in inspector.get_table_names():
            if table == "alembic_version":
                continue
            for row in db.session.execute(sa.text(f'SELECT * FROM "{table}"')):
                text = " ".join(str(value) for value in row)
                for marker in markers:
                    assert marker not in text, (table, marker)


def test_dry_run_changes_nothing_and_reports_the_same(app):
    _, user_id = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    child_id = _child(app, user_id)
    before = count(app, Child)
    dry = _run(app, date(2026, 3, 1), dry_run=True)
    assert _status(app, child_id) == ChildStatus.active and count(app, Child) == before
    real = _run(app, date(2026, 3, 1))
    assert (dry.archived, dry.destroyed) == (real.archived, real.destroyed)


def test_a_failure_half_way_rolls_back_everything(app, monkeypatch):
    _, user_id = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    first = _child(app, user_id, dob="2008-01-01")
    second = _child(app, user_id, dob="2008-01-02")
    calls = []
    real_archive = retention.archive

    def failing(child, reason, moment):
        calls.append(child.id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real_archive(child, reason, moment)

    monkeypatch.setattr(retention, "archive", failing)
    with app.app_context(), pytest.raises(RuntimeError):
        try:
            retention.run(date(2026, 6, 1), dry_run=False)
        finally:
            db.session.rollback()
    assert _status(app, first) == _status(app, second) == ChildStatus.active
    assert events(app, "child.archived") == []


def test_contact_details_archive_a_year_after_the_end_unless_kept(app):
    _, user_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    child_id = _child(app, user_id, dob="2015-01-01")
    with app.app_context():
        school, camhs = db.session.scalars(sa.select(Involvement).where(
            Involvement.child_id == child_id).order_by(Involvement.id)).all()
        school.end_date = camhs.end_date = date(2025, 7, 31)
        camhs.keep_contact_until = date(2040, 1, 1)  # capped at 5 years
        ids = (school.id, camhs.id)
        db.session.commit()
    assert _run(app, date(2026, 7, 30)).contacts_archived == []
    assert _run(app, date(2026, 7, 31)).contacts_archived == [ids[0]]
    assert _run(app, date(2030, 7, 30)).contacts_archived == []
    assert _run(app, date(2030, 7, 31)).contacts_archived == [ids[1]]
    from app.services import disclosure
    with app.app_context():
        view = disclosure.project(db.session.get(User, user_id),
                                  db.session.get(Child, child_id))
        archived = next(s for s in view.services if s.id == ids[0])
        assert archived.contact_archived and archived.phone is None


def test_archived_children_are_not_found_and_refuse_ordinary_access(app):
    client, user_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    child_id = _child(app, user_id, dob="2008-01-01")
    _run(app, datetime.now().date())
    body = client.post("/search", data={"family_name": "O'Neill",
                                        "date_of_birth": ["1", "1", "2008"],
                                        "csrf_token": csrf_token(client, "/")}
                       ).get_data(as_text=True)
    assert "No children match" in body
    assert client.get(f"/children/{child_id}/reason").status_code == 403


def test_cli_prints_by_rule(app, runner):
    _, user_id = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    child_id = _child(app, user_id)
    dry = runner.invoke(args=["retention", "run", "--dry-run", "--as-of", "2026-03-01"])
    assert dry.exit_code == 0 and "dry run: nothing changed" in dry.output
    assert f"archived (18th birthday): 1 record would be archived: {child_id}" in dry.output
    assert _status(app, child_id) == ChildStatus.active
    real = runner.invoke(args=["retention", "run", "--as-of", "2026-03-01"])
    assert "1 record was archived" in real.output
    assert "Amelia" not in real.output  # references, never names


def test_retention_screens(app):
    manager, _ = person(app, "admin", "County Council", "manager@county.example")
    head, user_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    today = datetime.now().date()
    turning = anniversary(today, -18) + timedelta(days=30)
    soon = _child(app, user_id, dob=turning.isoformat())
    later = _child(app, user_id, dob="2015-05-05")
    page = manager.get("/retention").get_data(as_text=True)
    assert f"({soon})" in page and f"({later})" not in page
    assert head.get("/retention").status_code == 403 and head.get("/archive").status_code == 403
    # recording consent to stay, through the reason gate
    form = open_record(head, later, page="retention")
    assert form.status_code == 200
    refused = head.post(form.request.url, data={"stay_until": ["5", "5", "2041"],
                                                "stay_consent": "Care leaver",
                                                "csrf_token": csrf_token(head, "/")})
    assert refused.status_code == 422 and "25th birthday" in refused.get_data(as_text=True)
    saved = head.post(form.request.url, data={"stay_until": ["5", "5", "2040"],
                                              "stay_consent": "",
                                              "csrf_token": csrf_token(head, "/")})
    assert saved.status_code == 422  # consent must say who, when, why
    saved = head.post(form.request.url, data={
        "stay_until": ["5", "5", "2040"], "stay_consent": "The young person, care leaver",
        "csrf_token": csrf_token(head, "/")})
    assert saved.status_code == 302 and events(app, "child.retention_changed")
    # the archive: limited reasons, each opening audited
    _run(app, anniversary(turning, 18))
    assert f"({soon})" in manager.get("/archive").get_data(as_text=True)
    empty = manager.post(f"/archive/{soon}", data={"csrf_token": csrf_token(manager, "/")})
    assert empty.status_code == 422
    opened = manager.post(f"/archive/{soon}", data={
        "reason": "serious_case_review", "detail": "SCR 2026/14",
        "csrf_token": csrf_token(manager, "/")})
    assert opened.status_code == 200 and MARKERS["phone"] in opened.get_data(as_text=True)
    viewed = events(app, "archive.viewed")
    assert [(e.child_id, e.reason_category) for e in viewed] == [(soon, "serious_case_review")]
    assert manager.post(f"/archive/{later}", data={
        "reason": "serious_case_review", "detail": "x",
        "csrf_token": csrf_token(manager, "/")}).status_code == 404  # not archived


def test_retention_deletes_abandoned_drafts_and_names_no_one(app):
    """Issue 14 finding 6: a draft started and left (its name, date of birth and NHS
    number) stayed for ever unless someone started another; retention deletes it after a
    day, recording how many and naming no one. A draft still in use is kept."""
    from app.models import AuditDetail, ChildDraft

    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    token = csrf_token(client, "/children/")
    started = client.post("/children/new", data={"csrf_token": token}).location
    client.post(started, data={"given_names": "Zebedee", "family_name": "Quartermaine",
                               "gender": "male", "date_of_birth": ["14", "2", "2016"],
                               "csrf_token": token})
    assert count(app, ChildDraft) == 1
    today = date.today()
    assert _run(app, today).drafts_deleted == 0            # not a day old yet: kept
    assert _run(app, today + timedelta(days=2), dry_run=True).drafts_deleted == 1
    assert count(app, ChildDraft) == 1                     # a dry run changes nothing
    assert _run(app, today + timedelta(days=2)).drafts_deleted == 1
    assert count(app, ChildDraft) == 0
    expired = events(app, "drafts.expired")
    assert len(expired) == 1 and expired[0].child_id is None
    with app.app_context():
        body = db.session.scalar(sa.select(AuditDetail.body).where(
            AuditDetail.event_seq == expired[0].seq))
    assert body == '{"deleted":1}' and "Quartermaine" not in body
