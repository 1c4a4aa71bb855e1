"""The disclosure policy as a table: every purpose the policy knows (disclosure.Purpose) x
role x shielded x sensitive service x marker. The rows come from the policy's own list of
purposes, so a new purpose without a row here fails the test.

Marker values are seeded into the record; each output is checked for each marker against
the rule written out below, independently of the code: absent where it forbids, present
where it allows. Searching by a withheld value must find nothing. Mutants show the table
fails when the policy is broken."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import pytest

from app.extensions import db
from app.models import Child, Organisation, ShieldCategory, User
from app.services import disclosure, shielding
from tests.conftest import csrf_token
from tests.integration.children_helpers import CONSENT, details, make_child, open_record, person

M = {"street": "7 Marigold Crescent", "postcode": "ZZ9 9ZZ", "town": "Puddlecombe",
     "school": "Quillfeather Academy", "school_phone": "01632 960 777",
     "carer_phone": "07700 900 555", "previous": "Brownlow", "camhs": "Zephyr CAMHS Team",
     "nhs": "943 476 5919", "local": "HILL-00042"}
WHEREABOUTS = {"street", "postcode", "town", "school", "school_phone", "carer_phone",
               "previous"}
OWN_SERVICE = {"school", "school_phone", "camhs"}  # recorded by Hilltop School
ROLES = {"manager": ("admin", "County Council"),
         "recording_practitioner": ("practitioner", "Hilltop School"),
         "recording_data_entry": ("data_entry", "Hilltop School"),
         "other_practitioner": ("practitioner", "Riverside Youth"),
         "other_data_entry": ("data_entry", "Riverside Youth"),
         "requester": ("requester", "Riverside Youth"),
         "setting_admin": ("admin", "Riverside Youth")}
ROWS_ONLY = {"town"}  # a row is name, date of birth, gender and town


def may_see(role: str, shielded: bool, marker: str) -> bool:
    """The rule for a record page (and the preview of one), written out."""
    if role == "manager":
        return True
    if role in ("requester", "setting_admin", "other_data_entry"):
        return False  # they cannot open the record at all
    own = role.startswith("recording_")
    if marker == "nhs" or marker == "local":
        return own  # the NHS number and a local reference stay with those involved
    if marker == "camhs":
        return own  # sensitive: only its recording organisation
    if shielded:
        return own and marker in OWN_SERVICE  # its own involvement, nothing else
    return True


def may_see_in_row(role: str, shielded: bool, marker: str) -> bool:
    """Rows show the town, unless a shield withholds it."""
    return marker in ROWS_ONLY and (role == "manager" or not shielded)


def outsider_may_see(shielded: bool, marker: str) -> bool:
    """A mediated answer: what a practitioner of another organisation sees."""
    return may_see("other_practitioner", shielded, marker) and marker != "previous"


@dataclass
class Table:
    """Problems found, and how many outputs were read."""

    problems: list[str] = field(default_factory=list)
    read: int = 0

    def check(self, what: str, status: int, body: str, rule, expect=()) -> None:
        """Each marker absent where the rule forbids it (or the output was refused), and
        present where listed in expect."""
        self.read += 1
        for marker, value in M.items():
            allowed = status < 300 and rule(marker)
            if value in body and not allowed:
                self.problems.append(f"{what}: shows {marker}")
            if marker in expect and allowed and value not in body:
                self.problems.append(f"{what}: lacks {marker}")


def _record(sensitive: bool) -> dict:
    service = {"practitioner_name": None, "practitioner_role": None, "email": None,
               "address": None, "start_date": None, "lead_professional": False,
               "caf_completed": False, "consent_given_by": None, "consent_relationship": None,
               "consent_date": None}
    services = [{**service, "service_type": "education_setting", "service_name": M["school"],
                 "phone": M["school_phone"]}]
    if sensitive:
        services.append({**service, "service_type": "mental_health",
                         "service_name": M["camhs"], "phone": None, **CONSENT})
    return {"details": details(other_names=M["previous"], address_line1=M["street"],
                               town=M["town"], postcode=M["postcode"]),
            "identifiers": {"upn": "B801200005001", "nhs": "9434765919", "local": M["local"]},
            "carers": [{"name": "Sarah O'Neill", "relationship": "Mother",
                        "parental_responsibility": "yes", "address": None,
                        "phone": M["carer_phone"], "email": None}],
            "services": services}


def _world(app, shielded: bool, sensitive: bool):
    people = {role: person(app, kind, org, f"{role}@{org.split()[0].lower()}.example")
              for role, (kind, org) in ROLES.items()}
    child_id = make_child(app, people["recording_data_entry"][1], data=_record(sensitive))
    if shielded:
        with app.app_context():
            shielding.request(db.session.get(User, people["recording_practitioner"][1]),
                              db.session.get(Child, child_id), ShieldCategory.domestic_violence,
                              "Fled to a refuge")
            db.session.commit()
    return people, child_id


def _get(response):
    return response.status_code, response.get_data(as_text=True).replace("&#39;", "'")


def _search(client, htmx=False):
    return _get(client.post("/search", data={
        "family_name": "O'Neill", "date_of_birth": ["14", "2", "2016"],
        "csrf_token": csrf_token(client, "/")}, headers={"HX-Request": "true"} if htmx else {}))


def _matches_page(client):
    """Enter the same child again and read the duplicate warning."""
    start = client.post("/children/new", data={"csrf_token": csrf_token(client, "/")})
    if start.status_code != 302:
        return _get(start)
    url = start.location
    client.post(url, data={"given_names": "Amelia", "family_name": "ONeill", "gender": "female",
                           "date_of_birth": ["14", "2", "2016"],
                           "csrf_token": csrf_token(client, "/")})
    check = client.post(url.replace("details", "check"), data={"csrf_token": csrf_token(
        client, "/")})
    return _get(client.get(check.location))


def _preview(app, manager, child_id, role) -> tuple[int, str]:
    kind, org = ROLES[role]
    with app.app_context():
        org_id = db.session.query(Organisation).filter_by(name=org).one().id
    page = open_record(manager, child_id, page="preview")
    url = page.request.url
    return _get(manager.post(url, data={"role": kind, "organisation": str(org_id),
                                        "csrf_token": csrf_token(manager, "/")}))


def _projection_text(app, build) -> str:
    with app.app_context():
        return repr(build())


@dataclass
class World:
    """The people, the child and the facts of one run."""

    app: object
    people: dict
    child_id: int
    shielded: bool
    sensitive: bool

    @property
    def present(self) -> set[str]:
        """The markers the record holds."""
        return {m for m in M if m != "camhs" or self.sensitive}


# One row per purpose: how to read that output for a role, and the rule it follows.
def _page_outputs(table, w):
    for role, (client, _) in w.people.items():
        rule = lambda m, role=role: may_see(role, w.shielded, m)  # noqa: E731
        table.check(f"{role} record page", *_get(open_record(client, w.child_id)), rule,
                    expect=w.present if role in ("manager", "recording_practitioner") else ())


def _edit_outputs(table, w):
    for role, (client, _) in w.people.items():
        for page in ("details", "identifiers"):
            rule = lambda m, role=role: may_see(role, w.shielded, m)  # noqa: E731
            table.check(f"{role} {page} form", *_get(open_record(client, w.child_id, page=page)),
                        rule)


def _search_outputs(table, w):
    for role, (client, _) in w.people.items():
        rule = lambda m, role=role: may_see_in_row(role, w.shielded, m)  # noqa: E731
        for htmx in (False, True):
            table.check(f"{role} search{' (htmx)' if htmx else ''}", *_search(client, htmx),
                        rule)


def _list_outputs(table, w):
    for role, (client, _) in w.people.items():
        rule = lambda m, role=role: may_see_in_row(role, w.shielded, m)  # noqa: E731
        table.check(f"{role} own list", *_get(client.get("/children/")), rule)


def _duplicate_outputs(table, w):
    for role, (client, _) in w.people.items():
        rule = lambda m, role=role: may_see_in_row(role, w.shielded, m)  # noqa: E731
        table.check(f"{role} duplicate warning", *_matches_page(client), rule)


def _mediated_outputs(table, w):
    text = _projection_text(w.app, lambda: disclosure.mediated_fields(
        db.session.get(Child, w.child_id)))
    table.check("mediated answer", 200, text, lambda m: outsider_may_see(w.shielded, m),
                expect=() if w.shielded else ("street", "school", "carer_phone"))


def _report_outputs(table, w):
    def build():
        child = db.session.get(Child, w.child_id)
        view = disclosure.for_requester(
            child, disclosure.Requester("parent", "Sarah O'Neill", child.carers[0].id),
            controller_id=None, looked=[], told=[])
        return [view.held, view.carers, view.services, view.looked, view.sources]
    rule = lambda m: (m == "carer_phone" or m == "nhs" or  # noqa: E731
                      (not w.shielded and m not in ("camhs",)))
    table.check("subject access report (parent)", 200, _projection_text(w.app, build), rule,
                expect=("carer_phone", "nhs"))


def _archive_outputs(table, w):
    text = _projection_text(w.app, lambda: disclosure.project(
        db.session.get(User, w.people["manager"][1]), db.session.get(Child, w.child_id),
        disclosure.Purpose.archive))
    table.check("archive (management)", 200, text, lambda m: True, expect=w.present)


def _broker_outputs(table, w):
    text = _projection_text(w.app, lambda: disclosure.project(
        db.session.get(User, w.people["manager"][1]), db.session.get(Child, w.child_id),
        disclosure.Purpose.contact_broker))
    table.check("contact broker (management)", 200, text, lambda m: True, expect=w.present)


def _audit_csv_outputs(table, w):
    for role, (client, _) in w.people.items():
        response = client.post("/audit/export", data={"csrf_token": csrf_token(client, "/")})
        table.check(f"{role} audit CSV", *_get(response), lambda m, role=role: role == "manager")


def _preview_outputs(table, w):
    manager = w.people["manager"][0]
    for role in ROLES:
        status, body = _preview(w.app, manager, w.child_id, role)
        own_status, own_body = _get(open_record(w.people[role][0], w.child_id))
        seen = {m for m, v in M.items() if v in own_body and own_status < 300}
        previewed = {m for m, v in M.items() if v in body}
        if role != "manager" and previewed != seen:
            table.problems.append(f"preview as {role} shows {sorted(previewed)}, "
                                  f"they see {sorted(seen)}")
        table.read += 1


OUTPUTS = {
    disclosure.Purpose.record_page: _page_outputs,
    disclosure.Purpose.edit_form: _edit_outputs,
    disclosure.Purpose.search_row: _search_outputs,
    disclosure.Purpose.list_row: _list_outputs,
    disclosure.Purpose.duplicate_candidate: _duplicate_outputs,
    disclosure.Purpose.mediated_answer: _mediated_outputs,
    disclosure.Purpose.subject_access_report: _report_outputs,
    disclosure.Purpose.archive: _archive_outputs,
    disclosure.Purpose.contact_broker: _broker_outputs,
    disclosure.Purpose.audit_csv_row: _audit_csv_outputs,
    disclosure.Purpose.preview: _preview_outputs,
}


def run_table(app, shielded: bool, sensitive: bool) -> Table:
    """Every purpose's outputs for every role, checked against the rule."""
    table = Table()
    people, child_id = _world(app, shielded, sensitive)
    world = World(app, people, child_id, shielded, sensitive)
    for purpose in disclosure.Purpose:
        assert purpose in OUTPUTS, f"the purpose {purpose!r} has no row in this table"
        OUTPUTS[purpose](table, world)
    return table


@pytest.mark.parametrize("shielded,sensitive", list(itertools.product([False, True],
                                                                      [False, True])))
def test_disclosure_table(app, shielded, sensitive):
    table = run_table(app, shielded, sensitive)
    assert table.problems == []
    assert table.read > 60


def test_every_purpose_has_a_row():
    assert set(OUTPUTS) == set(disclosure.Purpose)


@pytest.mark.parametrize("shielded", [False, True])
def test_searching_by_a_withheld_value_finds_nothing(app, shielded):
    people, _ = _world(app, shielded, False)
    searches = {"district": {"family_name": "O'Neill", "given_names": "Amelia",
                             "district": "ZZ9"},
                "previous name": {"family_name": M["previous"],
                                  "date_of_birth": ["14", "2", "2016"]}}
    for role in ("other_practitioner", "recording_practitioner", "manager"):
        client = people[role][0]
        for label, fields in searches.items():
            body = client.post("/search", data={**fields, "csrf_token": csrf_token(
                client, "/")}).get_data(as_text=True)
            found = "1 child matches" in body
            assert found == (role == "manager" or not shielded), (role, label, shielded)



MUTANTS = {
    "shields ignored": ("app.services.disclosure.record.hides_whereabouts",
                        lambda viewer, child: False),
    "every identifier shown": ("app.services.disclosure.record.may_see_identifier",
                               lambda viewer, child, identifier: True),
    "rows show the town behind a shield": ("app.services.disclosure.rows.hides_whereabouts",
                                           lambda viewer, child: False),
    "the preview shows the manager's own view": (
        "app.services.preview.viewer_for",
        lambda role, organisation: disclosure.Viewer(role, organisation.id, True)),
}


@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_the_table_catches_a_broken_policy(sqlite_app, monkeypatch, mutant):
    target, replacement = MUTANTS[mutant]
    monkeypatch.setattr(target, replacement)
    assert run_table(sqlite_app, True, True).problems, f"the table did not notice: {mutant}"


def test_markers_are_distinct():
    assert len(set(M.values())) == len(M) and not any(
        re.search(re.escape(a), b) for a, b in itertools.permutations(M.values(), 2))
