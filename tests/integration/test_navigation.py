"""Back links on every question page of entering a child (issue 17, item 1): each step
links back to the one before, the first to the list."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Organisation
from tests.conftest import csrf_token
from tests.integration.children_helpers import ask_for_look_up, details, person


def test_each_step_of_adding_a_child_has_a_back_link_to_the_step_before(app):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    start = client.post("/children/new", data={"csrf_token": csrf_token(client, "/children/")})
    draft = start.location.rsplit("/", 1)[0]
    client.post(f"{draft}/details", data={  # check your answers needs the details first
        **details(), "date_of_birth": ["14", "2", "2016"], "other_names": "",
        "address_line2": "", "csrf_token": csrf_token(client, "/")})
    expected = {"details": "/children/", "identifiers": f"{draft}/details",
                "carers": f"{draft}/identifiers", "services": f"{draft}/carers",
                "check": f"{draft}/services"}
    for step, before in expected.items():
        html = client.get(f"{draft}/{step}").get_data(as_text=True)
        link = re.search(r'<nav aria-label="Back"><a href="([^"]+)" class="govuk-back-link">',
                         html)
        assert link and link.group(1) == before, (step, link and link.group(1))


def _sections(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Menu" class="govuk-service-navigation__wrapper.*?</nav>',
                    html, re.S)
    assert nav, "no service navigation"
    return [re.sub(r"<[^>]+>", "", label).strip() for label in re.findall(
        r'class="govuk-service-navigation__link"[^>]*>(.*?)</a>', nav.group(0), re.S)]


def test_every_role_has_service_navigation_to_its_own_work(app):
    """Issue 17: the header had only Users, Your account and Sign out, and home was a
    13-bullet list. Each role now has its sections, the current one marked."""
    expected = {  # the first organisation is the host: its administrators are management
        ("admin", "County Council"): ["Find a child", "Children", "Look-up requests",
                                      "Subject access", "Shields", "Archive", "Audit", "Users"],
        ("requester", "Youth Club"): ["Your look-ups"],
        ("data_entry", "Hilltop School"): ["Children"],
        ("practitioner", "Hilltop School"): ["Find a child", "Children", "Look-up requests"],
        ("admin", "Hilltop School"): ["Users"],
    }
    for n, ((role, org), sections) in enumerate(expected.items()):
        client, _ = person(app, role, org, f"person{n}@{org.split()[0].lower()}.example")
        assert _sections(client.get("/").get_data(as_text=True)) == sections, (role, org)
    manager, _ = person(app, "admin", "County Council", "boss@county.example")
    page = manager.get("/subject-access").get_data(as_text=True)
    current = re.search(r'govuk-service-navigation__item--active.*?<a[^>]*aria-current="page"'
                        r'[^>]*>(.*?)</a>', page, re.S)
    assert current and "Subject access" in current.group(1)


def test_home_lists_what_is_waiting_for_each_person(app):
    """The home page is a short list of counts, each a link to the work: a report awaiting
    this manager's approval (not one they prepared), a look-up request in a broker's queue,
    an urgent one first."""
    from tests.integration.children_helpers import check_identity, make_child, set_controller

    first, first_id = person(app, "admin", "County Council", "manager@county.example")
    second, _ = person(app, "admin", "County Council", "deputy@county.example")
    assert "Nothing is waiting for you" in second.get("/").get_data(as_text=True)
    set_controller(app, first_id)
    location = first.post("/subject-access/new", data={
        "child": str(make_child(app, first_id)), "requester_name": "Sarah O'Neill",
        "requester_relationship": "parent", "channel": "email",
        "received_on": ["2", "11", "2026"], "csrf_token": csrf_token(first, "/")}).location
    check_identity(first, location)
    first.post(location + "/prepare", data={"csrf_token": csrf_token(first, "/")})
    waiting = second.get("/").get_data(as_text=True)
    assert re.search(r'href="/subject-access">\s*<span class="ta-waiting__count">1</span> '
                     r"subject access report awaiting your approval", waiting)
    assert "awaiting your approval" not in first.get("/").get_data(as_text=True)
    requester, _ = person(app, "requester", "Youth Club", "nina@youth.example")
    with app.app_context():
        council = db.session.scalar(sa.select(Organisation.id).where(
            Organisation.name == "County Council"))
    for urgency in ("urgent", "routine"):
        assert requester.post("/requests/new", data={
            "requester_name": "Nina Nurse", "requester_organisation": "Youth Club",
            "requester_role": "Youth worker", "requester_contact": "nina@youth.example",
            "addressed_to": str(council), "child_given_names": "Amelia",
            "child_family_name": "O'Neill", "child_date_of_birth": ["14", "2", "2016"],
            "reason": "Arranging support", "urgency": urgency,
            "csrf_token": csrf_token(requester, "/requests/new")}).status_code == 302
    items = re.findall(r'class="ta-waiting__count">(\d+)</span> ([^<]+)</a>',
                       second.get("/").get_data(as_text=True))
    assert items[0] == ("1", "urgent look-up request to answer"), items
    assert ("1", "look-up request to answer") in items


def test_plain_words_and_a_glossary_for_the_few_terms_left(app):
    """Issue 17 item 8: "broker", "mediated" and legal terms on the pages people use; no
    glossary. The pages speak of look-up requests and putting people in touch; "Words we
    use" (linked from every page's footer, open to parents too) explains what remains."""
    manager, _ = person(app, "admin", "County Council", "boss@county.example")
    for page in ("/", "/requests/queue", "/contact-requests/queue", "/shields",
                 "/subject-access"):
        response = manager.get(page)
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html,
                                                flags=re.S))
        for jargon in ("broker", "Broker", "mediated", "Mediated", "rectification"):
            assert jargon not in text, (page, jargon)
        assert 'href="/words">Words we use</a>' in html
    words = app.test_client().get("/words")
    assert words.status_code == 200
    for term in ("Look-up request", "Putting people in touch", "Management team",
                 "Shielded record", "Subject access request", "Parental responsibility"):
        assert f">{term}</dt>" in words.get_data(as_text=True)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html,
                                           flags=re.S))


def test_no_jargon_on_the_pages_with_work_in_them(app):
    """Issue 17 review: the empty queues were plain, but a request in them showed a
    "Broker" link, "Broker a contact request", the status "Waiting for a broker" (to the
    requester too), and the preview offered "A mediated-access requester"."""
    from tests.integration.children_helpers import CONSENT, make_child, open_record, service

    manager, _ = person(app, "admin", "County Council", "boss@county.example")
    entry, entry_id = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    outsider, _ = person(app, "practitioner", "Riverside Youth", "ola@riverside.example")
    requester, _ = person(app, "requester", "Youth Club", "nina@youth.example")
    child_id = make_child(app, entry_id, data={"details": details(), "services": [
        service(), service("sexual_health", "Brook Clinic", **CONSENT)]})
    with app.app_context():
        from app.models import Involvement

        brook = db.session.scalar(sa.select(Involvement.id).where(
            Involvement.service_name == "Brook Clinic"))
        council = db.session.scalar(sa.select(Organisation.id).where(
            Organisation.name == "County Council"))
    ask = open_record(outsider, child_id, page="contact_service", item=brook)
    assert outsider.post(ask.request.url, data={
        "message": "Need to coordinate", "csrf_token": csrf_token(outsider, "/")}
    ).status_code == 302
    assert ask_for_look_up(requester, council).status_code == 302
    preview = open_record(manager, child_id, page="preview")
    pages = {"contact queue": manager.get("/contact-requests/queue"),
             "contact answer": manager.get("/contact-requests/1"),
             "look-up queue": manager.get("/requests/queue"),
             "own look-ups": requester.get("/requests"),
             "preview": preview}
    for name, response in pages.items():
        assert response.status_code == 200, name
        text = _text(response.get_data(as_text=True))
        for jargon in ("broker", "Broker", "mediated", "Mediated"):
            assert jargon not in text, (name, jargon)
    assert "Waiting to be answered" in _text(pages["look-up queue"].get_data(as_text=True))
    assert "Waiting to be answered" in _text(pages["own look-ups"].get_data(as_text=True))
    assert "Answer a request to put people in touch" in _text(
        pages["contact answer"].get_data(as_text=True))


def test_every_question_page_has_a_back_link(app):
    """Issue 17 item 1: there was no back link on any page but the steps of adding a
    child. Each question page now links back to where the person came from: a page of a
    record, to the record under the same reason."""
    from flask import url_for

    from tests.integration.children_helpers import make_child, open_record

    manager, manager_id = person(app, "admin", "County Council", "boss@county.example")
    child_id = make_child(app, manager_id)
    with app.test_request_context():
        pages = {url_for("account.change_password"): url_for("account.overview"),
                 url_for("account.reset_authenticator"): url_for("account.overview"),
                 url_for("admin.invite"): url_for("admin.users"),
                 url_for("admin.organisation"): url_for("main.index"),
                 url_for("corrections.new"): url_for("corrections.index"),
                 url_for("mediated.new"): url_for("mediated.queue"),
                 url_for("subject_access.new"): url_for("subject_access.board"),
                 url_for("records.reason", child_id=child_id): url_for("search.index")}
    for page, back in pages.items():
        html = manager.get(page).get_data(as_text=True)
        link = re.search(r'<nav aria-label="Back"><a href="([^"]+)" class="govuk-back-link">',
                         html)
        assert link and link.group(1) == back, (page, link and link.group(1))
    for page in ("details", "merge", "preview"):  # the review found merge, preview bare
        edit = open_record(manager, child_id, page=page).get_data(as_text=True)
        link = re.search(r'<nav aria-label="Back"><a href="([^"]+)" class="govuk-back-link">',
                         edit)
        assert link and re.fullmatch(rf"/children/{child_id}\?grant=[\w-]+", link.group(
            1).replace("&amp;", "&")), (page, link and link.group(1))


def test_back_links_on_the_pages_the_review_found_without_one(app):
    """Issue 17 review: answering a look-up request (the search, then what to tell them)
    and an import's page had no back link."""
    from app.models import ImportJob, ImportStatus, User
    from tests.integration.children_helpers import make_child

    manager, manager_id = person(app, "admin", "County Council", "boss@county.example")
    requester, _ = person(app, "requester", "Youth Club", "nina@youth.example")
    child_id = make_child(app, manager_id)
    with app.app_context():
        council = db.session.scalar(sa.select(Organisation.id).where(
            Organisation.name == "County Council"))
        user = db.session.get(User, manager_id)
        job = ImportJob(organisation_id=user.organisation_id, user_id=manager_id, kind="csv",
                        filename="roll.csv", status=ImportStatus.previewed)
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    assert ask_for_look_up(requester, council).status_code == 302
    assert manager.post("/requests/1/claim", data={"csrf_token": csrf_token(manager, "/")}
                        ).status_code == 302
    pages = {"/requests/1/work": "/requests/queue",
             f"/requests/1/children/{child_id}": "/requests/1/work",
             f"/imports/{job_id}": "/imports/"}
    for page, back in pages.items():
        response = manager.get(page)
        assert response.status_code == 200, page
        link = re.search(r'<nav aria-label="Back"><a href="([^"]+)" class="govuk-back-link">',
                         response.get_data(as_text=True))
        assert link and link.group(1) == back, (page, link and link.group(1))
