"""Back links on every question page of entering a child (issue 17, item 1): each step
links back to the one before, the first to the list."""

from __future__ import annotations

import re

from tests.conftest import csrf_token
from tests.integration.children_helpers import details, person


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
