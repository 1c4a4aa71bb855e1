"""Regression tests for problems found in review: each once let something through."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import Child, Involvement, User
from app.services import children, involvements
from tests.conftest import BASE_CONFIG, PASSWORD, csrf_token, make_user, sign_in
from tests.integration.children_helpers import (
    details,
    events,
    make_child,
    open_record,
    person,
    service,
)


def test_https_sign_in_works_with_the_production_settings(database_url):
    config = {k: v for k, v in BASE_CONFIG.items()
              if k not in {"SESSION_COOKIE_SECURE", "SESSION_COOKIE_NAME", "WTF_CSRF_SSL_STRICT"}}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": database_url})
    _, email, secret = make_user(app)
    client = app.test_client()
    html = client.get("/sign-in", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    # browsers send no Referer: every page says Referrer-Policy: no-referrer
    response = client.post("/sign-in", base_url="https://localhost",
                           data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/sign-in/code")
    with app.app_context():
        db.engine.dispose()


def test_an_identifier_does_not_reveal_or_attach_another_organisations_child(app):
    _, school_id = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    child_id = make_child(app, school_id)
    client, _ = person(app, "data_entry", "Riverside Youth", "dee@riverside.example")
    start = client.post("/children/new", data={"csrf_token": csrf_token(client, "/children/")})
    url = start.location
    for step, data in (("details", {"given_names": "X", "family_name": "Y", "gender": "male",
                                    "date_of_birth": ["1", "1", "2020"]}),
                       ("identifiers", {"nhs": "9434765919"})):
        client.post(url.replace("details", step),
                    data={**data, "csrf_token": csrf_token(client, "/")})
    check = client.post(url.replace("details", "check"),
                        data={"csrf_token": csrf_token(client, "/")})
    page = client.get(check.location).get_data(as_text=True)
    assert "O&#39;Neill" not in page and "Bristol" not in page and "1 other record" in page
    forced = client.post(check.location, data={"decision": str(child_id),
                                               "csrf_token": csrf_token(client, "/")})
    assert forced.status_code == 422  # "same child" is not on offer
    saved = client.post(check.location, data={"decision": "different",
                                              "csrf_token": csrf_token(client, "/")})
    assert saved.status_code == 302
    flagged = events(app, "child.possible_duplicate")
    assert [e.child_id for e in flagged] == [child_id]
    with app.app_context():
        user = db.session.get(User, db.session.scalar(
            sa.select(User.id).where(User.email_key == "dee@riverside.example")))
        with pytest.raises(children.NotAllowed):
            children.add_draft_involvements_to(user, db.session.get(Child, child_id),
                                               {"services": [service()]})


def test_an_unknown_service_type_is_a_message_not_a_crash(app):
    client, _ = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    token = csrf_token(client, "/")
    response = client.post("/children/validate/services/service_type",
                           data={"service_type": "bogus", "csrf_token": token})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(
        as_text=True)


def test_non_ascii_digits_are_refused_not_crashed(app):
    _, email, secret = make_user(app)
    client = app.test_client()
    response = sign_in(client, email, secret, code="\u0661\u0662\u0663\u0664\u0665\u0666")
    assert response.status_code == 401
    with app.app_context():
        assert db.session.scalar(sa.select(User.failed_attempts)) == 1
    from app.models import Scheme
    from app.services.identifiers import normalise
    for scheme in (Scheme.nhs, Scheme.uln):
        with pytest.raises(ValueError):
            normalise(scheme, "\u0661" * 10)


def test_huge_ids_are_not_found(app):
    client, _ = person(app, "admin", "County Council", "manager@county.example")
    huge = "9" * 30
    for path in (f"/children/{huge}/reason", f"/children/new/{huge}/details",
                 f"/audit/children/{huge}", f"/children/1/reason?page=carer_edit&item={huge}"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/audit?child={huge}").status_code == 422


def test_ids_just_past_postgresql_integers_are_not_found_nor_a_500(app):
    """Found by the random form fuzz (bench/fuzz_forms.py) on PostgreSQL: 2147483648 in the
    merge form's record reference (and in any URL) overflowed PostgreSQL's INTEGER ids."""
    client, manager_id = person(app, "admin", "County Council", "manager@county.example")
    child_id = make_child(app, manager_id)
    past = str(2**31)
    for path in (f"/children/{past}/reason", f"/audit/children/{past}",
                 f"/children/{child_id}/reason?page=carer_edit&item={past}"):
        assert client.get(path).status_code == 404, path
    page = open_record(client, child_id, page="merge")
    merge = client.post(page.request.url, data={"other": past,
                                                "csrf_token": csrf_token(client, "/")})
    assert merge.status_code == 422
    assert client.post("/corrections/new", data={
        "child": past, "requester_name": "Sarah", "what_is_wrong": "x",
        "received_on": ["1", "11", "2026"], "csrf_token": csrf_token(client, "/")}
    ).status_code == 422


def test_the_creator_loses_access_once_its_involvements_end(app):
    _, school_id = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    bare = make_child(app, school_id, data={"details": details(), "services": []})
    served = make_child(app, school_id, data={"details": details(given="Bea"),
                                              "services": [service()]})
    from app.services import disclosure
    from app.services.clock import now
    with app.app_context():
        user = db.session.get(User, school_id)
        assert disclosure.may_open(user, db.session.get(Child, bare))  # not orphaned
        involvement = db.session.scalar(sa.select(Involvement).where(
            Involvement.child_id == served))
        involvements.end_involvement(user, involvement, now().date())
        db.session.commit()
        assert not disclosure.may_open(user, db.session.get(Child, served))


def test_a_newer_invitation_replaces_the_older_one(app_without_email):
    app = app_without_email  # the link is read off the page
    _, email, secret = make_user(app)
    admin = app.test_client()
    sign_in(admin, email, secret)

    def invite():
        html = admin.post("/admin/users/invite", data={"role_category": "other",
            "name": "Pat", "email": "pat@hilltop.example", "role": "practitioner",
            "organisation": "1", "csrf_token": csrf_token(admin, "/")}).get_data(as_text=True)
        return re.search(r'id="invitation-link">http://localhost([^<]+)<', html).group(1)

    first, second = invite(), invite()
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 302
