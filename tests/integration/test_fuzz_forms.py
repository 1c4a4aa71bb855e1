"""Every form in the URL map, driven with generated hostile values (hypothesis) by the role
that uses it: never a 5xx, and never a control character, direction override or unreadable
text in any column afterwards (issue 14, Deliver 2). Runs on SQLite and PostgreSQL.

The forms are not listed by hand: each world below opens the pages its people see and
posts to every form found on them (and every htmx `hx-post`). A test checks that the
worlds together reach every POST endpoint but the few listed in NOT_FUZZED, with why.
bench/fuzz_forms.py runs the same worlds with more examples and a random seed."""

from __future__ import annotations

import contextlib
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pyotp
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings

from app.extensions import db
from app.models import (
    Carer,
    Child,
    ChildStatus,
    ContactRequest,
    Involvement,
    MediatedRequest,
    Organisation,
    Role,
    Shield,
    User,
)
from app.services import administration, enrolment, mediated
from tests.conftest import PASSWORD, csrf_token, make_user, sign_in
from tests.fuzzing import Form, endpoint_of, forms_on, requests, send, stored_bad_text
from tests.integration.children_helpers import (
    CONSENT,
    approve,
    check_identity,
    details,
    make_child,
    open_record,
    person,
    service,
    set_controller,
)

# POST endpoints no world posts to, and why. Everything else must be reached.
NOT_FUZZED = {
    "auth.sign_out": "ends the fuzzing session; takes no fields (test_sessions)",
    "account.end_all_sessions": "ends the fuzzing session; takes no fields (test_sessions)",
    "account.keep_alive": "takes no fields; answers JSON with the seconds left (test_sessions)",
    "account.daily_email": "takes no fields: on or off is in the address (test_email)",
    "admin.retry_email": "takes no fields (test_email)",
}

# Forms that close what other forms work on (a request declined, a draft saved, a user
# deactivated): fuzzed after the rest, so that the rest meet the state they were found in.
ENDS_SOMETHING = {
    "mediated.decline", "children.check", "children.matches", "children.cancel",
    "subject_access.release", "admin.act", "records.merge", "records.end_involvement",
    "records.remove_carer", "children.remove_item", "account.end_session", "shields.review",
    "shields.answer", "corrections.detail", "account.confirm_authenticator",
    "imports.confirm", "imports.abandon",
}
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')
EXAMPLES = 5  # per form, in make test; bench/fuzz_forms.py runs many more


@dataclass
class Run:
    """What a fuzz run did: requests sent, endpoints posted to, and any failures."""

    sent: int = 0
    endpoints: set[str] = field(default_factory=set)
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def fuzz(app, pages: list[tuple], examples: int = EXAMPLES, derandomize: bool = True,
         run: Run | None = None) -> Run:
    """Find the forms on every page first ((client, url) pages are opened here, (client, url,
    html) pages were opened already, through the reason gate), then post generated values to
    each, the forms that end something last."""
    run = run or Run()
    targets = {}
    for client, url, *opened in pages:
        if opened:
            html = opened[0]
        else:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            html = response.get_data(as_text=True)
        found = TOKEN.search(html)
        token = (found.group(1) or found.group(2)) if found else ""
        for form in forms_on(f"http://localhost{url}", html):
            endpoint = endpoint_of(app, form.action)
            if endpoint is not None and endpoint not in NOT_FUZZED:
                targets.setdefault(form.action, (endpoint, client, form, token))
    for endpoint, client, form, token in sorted(targets.values(),
                                                key=lambda t: t[0] in ENDS_SOMETHING):
        run.endpoints.add(endpoint)
        _fuzz_form(client, form, token, examples, derandomize, run)
    return run


def _fuzz_form(client, form: Form, token: str, examples: int, derandomize: bool, run: Run):
    @settings(max_examples=examples, deadline=None, database=None, derandomize=derandomize,
              suppress_health_check=list(HealthCheck), print_blob=True)
    @given(requests(form))
    def post(values):
        run.sent += 1
        response = send(client, form.action, token, values["data"], htmx=values["htmx"],
                        raw=values["raw"])
        run.statuses[response.status_code] += 1
        if response.status_code >= 500:
            run.failures.append(f"{response.status_code} from {form.action}: {values}")
        assert response.status_code < 500, (form.action, values)

    with contextlib.suppress(AssertionError):  # kept in run.failures, shrunk
        post()


def _ids(app):
    with app.app_context():
        carer = db.session.scalar(sa.select(Carer.id))
        involvements = db.session.scalars(sa.select(Involvement.id).order_by(Involvement.id))
        return carer, list(involvements)


def _ask(client, hilltop: int, given_names="Amelia"):
    return client.post("/requests/new", data={
        "requester_name": "Nina Nurse", "requester_organisation": "Riverside Youth",
        "requester_role": "School nurse", "requester_contact": "nina@riverside.example",
        "addressed_to": str(hilltop), "child_given_names": given_names,
        "child_family_name": "O'Neill", "child_date_of_birth": ["14", "2", "2016"],
        "reason": "Immunisation follow-up", "urgency": "routine",
        "csrf_token": csrf_token(client, "/")})


def _sar(client, child_id) -> str:
    location = client.post("/subject-access/new", data={
        "child": str(child_id), "requester_name": "Sarah O'Neill",
        "requester_relationship": "parent", "channel": "email",
        "received_on": ["2", "11", "2026"], "csrf_token": csrf_token(client, "/")}).location
    return location


def _record_pages(client, child_id, pages: list[tuple[str, int | None]]) -> list[tuple]:
    """Open record pages through the reason gate: (client, address with the grant, html)."""
    opened = []
    for page, item in pages:
        response = open_record(client, child_id, page=page, item=item)
        assert response.status_code == 200, (page, response.status_code)
        url = response.request.url
        opened.append((client, url[url.index("/", len("http://")):],
                       response.get_data(as_text=True)))
    return opened


def main_world(app) -> list[tuple[object, str]]:
    """A setting with everyone in it and something in every state; returns the pages."""
    manager, manager_id = person(app, "admin", "County Council", "manager@county.example")
    head, head_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    entry, entry_id = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    requester, _ = person(app, "requester", "Riverside Youth", "nurse@riverside.example")
    victim_id, _, _ = make_user(app, email="vic@hilltop.example", name="Vic Tim",
                                role="practitioner", organisation="Hilltop School")
    set_controller(app, manager_id)
    child = make_child(app, entry_id, data={
        "details": details(), "identifiers": {"nhs": "9434765919", "upn": "B801200005001"},
        "carers": [{"name": "Sarah O'Neill", "relationship": "Mother",
                    "parental_responsibility": "yes", "address": None,
                    "phone": "07700 900 555", "email": None}],
        "services": [service(), service("sexual_health", "Brook Clinic", **CONSENT)]})
    twin = make_child(app, entry_id, data={"details": details(given="Amelie"),
                                           "services": [service()]})
    shielded = make_child(app, entry_id, data={"details": details(given="Bea"),
                                               "services": [service()]})
    archived = make_child(app, entry_id, data={"details": details(given="Cy"),
                                               "services": [service()]})
    carer, involvements = _ids(app)
    with app.app_context():
        gone = db.session.get(Child, archived)
        gone.status, gone.archived_at = ChildStatus.archived, gone.created_at
        db.session.commit()
    # a shield (reviewed by the management team) and a contact request to broker
    _, shield_page, _ = _record_pages(head, shielded, [("shield", None)])[0]
    assert head.post(shield_page, data={"category": "domestic_violence", "reason": "Refuge",
                                        "csrf_token": csrf_token(head, "/")}).status_code == 302
    _, contact_page, _ = _record_pages(head, shielded, [("contact", None)])[0]
    assert head.post(contact_page, data={"message": "Please pass on our number",
                                         "csrf_token": csrf_token(head, "/")}).status_code == 302
    # mediated requests: one waiting, one claimed
    hilltop = _hilltop(app)
    assert _ask(requester, hilltop).status_code == 302
    assert _ask(requester, hilltop, "Bea").status_code == 302
    with app.app_context():
        claimed = db.session.scalar(sa.select(sa.func.max(MediatedRequest.id)))
        mediated.claim(db.session.get(User, head_id), db.session.get(MediatedRequest, claimed))
        shield_id = db.session.scalar(sa.select(Shield.id))
        contact_id = db.session.scalar(sa.select(ContactRequest.id))
    # subject access: one new, one prepared, one approved (one-person setting)
    new_sar = _sar(manager, child)
    prepared = _sar(manager, twin)
    check_identity(manager, prepared)
    assert manager.post(prepared + "/prepare",
                        data={"csrf_token": csrf_token(manager, "/")}).status_code == 302
    approved = _sar(manager, child)
    check_identity(manager, approved)
    manager.post(approved + "/prepare", data={"csrf_token": csrf_token(manager, "/")})
    assert approve(manager, approved).status_code == 302
    corrections = manager.post("/corrections/new", data={
        "child": str(child), "requester_name": "Sarah O'Neill",
        "received_on": ["2", "11", "2026"], "what_is_wrong": "Her date of birth is wrong",
        "csrf_token": csrf_token(manager, "/")}).location
    return [
        (head, "/search"), (head, "/account/password"), (head, "/account/sessions"),
        *_record_pages(head, child, [
            ("record", None), ("details", None), ("identifiers", None), ("carer", None),
            ("carer_edit", carer), ("involvement", None),
            ("involvement_edit", involvements[0]), ("contact_service", involvements[1])]),
        *_record_pages(head, twin, [("shield", None)]),
        *_record_pages(head, shielded, [("contact", None)]),
        (head, f"/children/{child}/reason?page=details"),
        (head, "/requests/queue"), (head, f"/requests/{claimed}/work"),
        (head, f"/requests/{claimed}/children/{shielded}"),
        (requester, "/requests/new"),
        *_drafts(entry),
        *_newcomer(app),
        (manager, "/admin/users/invite"), (manager, "/admin/organisation"),
        (manager, f"/admin/users/{victim_id}"), (manager, "/audit"),
        (manager, f"/archive/{archived}"), (manager, f"/shields/{shield_id}"),
        (manager, f"/contact-requests/{contact_id}"),
        *_record_pages(manager, twin, [("merge", None), ("preview", None),
                                       ("retention", None)]),
        (manager, "/subject-access/new"), (manager, new_sar), (manager, prepared),
        (manager, approved), (manager, "/corrections/new"), (manager, corrections),
        (head, "/account/authenticator"),
    ]


def _drafts(entry) -> list[tuple]:
    """Two drafts part-way through the wizard: one with a carer, one like an existing child."""
    token = csrf_token(entry, "/")
    pages = [(entry, "/children/")]
    for first, dob in (("Dan", ["3", "4", "2015"]), ("Amelia", ["14", "2", "2016"])):
        draft = entry.post("/children/new", data={"csrf_token": token}).location
        base = draft.rsplit("/", 1)[0]
        entry.post(draft, data={**details(given=first), "date_of_birth": dob,
                                "other_names": "", "address_line2": "", "csrf_token": token})
        pages.append((entry, base + "/details"))
    entry.post(base + "/carers", data={"name": "Ola O'Neill", "relationship": "Father",
                                       "parental_responsibility": "yes", "csrf_token": token})
    pages += [(entry, base + "/matches"), (entry, base + "/identifiers"),
              (entry, base + "/carers"), (entry, base + "/services"), (entry, base + "/check"),
              (entry, base + "/cancel?back=check")]
    return pages


def _newcomer(app) -> list[tuple]:
    """Someone changing authenticator app with a second session open elsewhere, and someone
    who has not signed the acceptable use policy yet."""
    user_id, email, secret = make_user(app, email="new@hilltop.example", role="practitioner")
    client, elsewhere = app.test_client(), app.test_client()
    while 30 - time.time() % 30 < 5:  # the step before's code is taken only until the
        time.sleep(0.5)  # next step begins: never ask for it a moment before (a CI flake)
    earlier = pyotp.TOTP(secret).at(time.time() - 30)  # each code signs in once
    assert sign_in(client, email, secret, code=earlier).status_code == 302
    assert sign_in(elsewhere, email, secret).status_code == 302
    client.post("/account/authenticator", data={"current": PASSWORD,
                                                "csrf_token": csrf_token(client, "/")})
    user_id, email, secret = make_user(app, email="unsigned@hilltop.example")
    with app.app_context():
        db.session.get(User, user_id).policy_version = None
        db.session.commit()
    unsigned = app.test_client()
    assert sign_in(unsigned, email, secret).status_code == 302
    return [(client, "/account/sessions"), (client, "/account/authenticator/confirm"),
            (unsigned, "/access/policy")]


def _hilltop(app):
    with app.app_context():
        return db.session.scalar(sa.select(Organisation.id).where(
            Organisation.name == "Hilltop School"))


def first_run_world(app) -> list[tuple]:
    """An empty database and the first-run set-up link."""
    output = app.test_cli_runner().invoke(args=["setup-link"]).output
    founder = app.test_client()
    assert founder.get(re.search(r"(/setup/\S+)", output).group(1)).status_code == 302
    return [(founder, "/setup")]


def arrival_world(app) -> list[tuple]:
    """People arriving: an invitation, an authenticator reset, a parent collecting a report,
    and signing in."""
    manager, manager_id = person(app, "admin", "County Council", "manager@county.example")
    user_id, _, _ = make_user(app, email="vic@county.example", role="practitioner",
                              organisation="County Council", name="Vic Tim")
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation))
        token = enrolment.invite(email="new@county.example", name="New Person",
                                 role=Role.practitioner, organisation=org, invited_by=None)
        reset = administration.reset_authenticator(db.session.get(User, manager_id),
                                                   db.session.get(User, user_id), "Lost phone")
        db.session.commit()
    invited, reenrolling, anonymous = app.test_client(), app.test_client(), app.test_client()
    assert invited.get(f"/invitation/{token}").status_code == 302
    assert reenrolling.get(f"/reenrol/{reset}").status_code == 302
    parent = app.test_client()
    link = _released_link(app, manager, manager_id)
    assert parent.get(link).status_code == 302
    pages = [(invited, "/enrol/password"), (reenrolling, "/reenrol"),
             (parent, "/documents"), (anonymous, "/sign-in")]
    signing_in = app.test_client()
    make_user(app, email="sig@county.example", organisation="County Council")
    csrf = csrf_token(signing_in)
    signing_in.post("/sign-in", data={"email": "sig@county.example",
                                      "password": "plum orbit lantern gravel",
                                      "csrf_token": csrf})
    pages.append((signing_in, "/sign-in/code"))
    invited_second = app.test_client()
    with app.app_context():
        token2 = enrolment.invite(email="two@county.example", name="Two Person",
                                  role=Role.practitioner, invited_by=None,
                                  organisation=db.session.scalar(sa.select(Organisation)))
        db.session.commit()
    invited_second.get(f"/invitation/{token2}")
    invited_second.post("/enrol/password", data={"password": "copper violin meadow 7",
                                                 "confirm": "copper violin meadow 7",
                                                 "csrf_token": csrf_token(invited_second,
                                                                          "/enrol/password")})
    pages.append((invited_second, "/enrol/authenticator"))
    return pages


def _released_link(app, manager, manager_id) -> str:
    set_controller(app, manager_id)
    child = make_child(app, manager_id)
    location = _sar(manager, child)
    check_identity(manager, location)
    manager.post(location + "/prepare", data={"csrf_token": csrf_token(manager, "/")})
    approve(manager, location)
    page = manager.post(location + "/release/link", data={
        "confirm": "yes", "csrf_token": csrf_token(manager, "/")}).get_data(as_text=True)
    return re.search(r'id="document-link">http://localhost([^<]+)<', page).group(1)


def import_world(app) -> list[tuple[object, str]]:
    """An import checked and waiting for a person, with a row held (a twin's record)."""
    from app.services.imports import jobs, review

    client, user_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    other = person(app, "data_entry", "St Anne's", "ann@stannes.example")[1]
    make_child(app, other, data={"details": details(given="Amelie"), "services": []})
    with app.app_context():
        job_id = review.start(db.session.get(User, user_id), "roll.csv", (
            b"Surname,Forename,Date of birth,Sex\r\nO'Neill,Amelia,14/02/2016,F\r\n"
            b"Okafor,Dan,31/02/2015,M\r\n"))
        jobs.run(job_id)
    return [(client, "/imports/"), (client, f"/imports/{job_id}"),
            (client, f"/imports/{job_id}/abandon")]


WORLDS: dict[str, Callable] = {"main": main_world, "arrival": arrival_world,
                               "first run": first_run_world, "import": import_world}


def _check(app, run: Run):
    assert not run.failures, "\n".join(run.failures[:5])
    with app.app_context():
        bad = stored_bad_text()
    assert not bad, "\n".join(bad[:10])


# What each world must reach (the last test checks these cover the URL map).
WORLD_ENDPOINTS = {
    "main": {
        "account.change_password", "account.confirm_authenticator", "account.end_session",
        "account.reset_authenticator", "admin.act", "admin.change_role", "admin.invite",
        "admin.organisation", "admin.reset_authenticator", "admin.save_eligibility",
        "archive.open_record", "audit.export", "children.cancel", "children.check", "children.index",
        "children.list_step", "children.matches", "children.remove_item", "children.start",
        "children.step", "children.validate_field", "corrections.detail", "corrections.new",
        "eligibility.policy", "mediated.choose", "mediated.claim", "mediated.decline",
        "mediated.new", "mediated.work", "records.add_carer", "records.add_involvement",
        "records.contact", "records.contact_service", "records.edit_carer",
        "records.edit_details", "records.edit_identifiers", "records.edit_involvement",
        "records.end_involvement", "records.merge", "records.preview", "records.reason",
        "records.remove_carer", "records.retention", "records.shield", "search.index",
        "shields.answer", "shields.review", "subject_access.checks", "subject_access.clock",
        "subject_access.extend", "subject_access.new", "subject_access.release",
        "subject_access.release_step", "subject_access.requester"},
    "arrival": {"auth.sign_in", "auth.sign_in_code", "documents.collect", "enrol.password",
                "enrol.authenticator", "enrol.reenrol"},
    "first run": {"enrol.setup"},
    "import": {"imports.index", "imports.decide", "imports.confirm", "imports.abandon"},
}


@pytest.mark.parametrize("world", sorted(WORLDS))
def test_every_form_survives_hostile_values(make_app, world):
    app = make_app(SAR_SECOND_APPROVAL=False, RATELIMIT_SIGN_IN="100000 per minute",
                   REASON_COVER_MINUTES=0)  # every reason prompt is a form to try
    run = fuzz(app, WORLDS[world](app))
    print(f"{world}: {run.sent} requests to {len(run.endpoints)} forms: {dict(run.statuses)}")
    assert not run.failures, "\n".join(run.failures[:5])
    with app.app_context():
        bad = stored_bad_text()
    assert not bad, "\n".join(bad[:10])
    assert run.endpoints >= WORLD_ENDPOINTS[world], sorted(WORLD_ENDPOINTS[world] - run.endpoints)


def test_the_worlds_reach_every_form(app):
    """Every POST endpoint is fuzzed by a world or listed in NOT_FUZZED with its reason."""
    expected = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    assert expected - set(NOT_FUZZED) == set().union(*WORLD_ENDPOINTS.values())
