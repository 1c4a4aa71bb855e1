"""The organisation's own list (issue 17, item 7): filter by name, year of birth and
shielding, sort, and pages of 50, all by POST (no name in an address); each look audited
without the name typed."""

from __future__ import annotations

import json

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditDetail, AuditEvent, Child
from tests.conftest import csrf_token
from tests.integration.children_helpers import details, make_child, person


def _list(client, **fields):
    data = {f"f-{k}": v for k, v in fields.items()}
    return client.post("/children/", data={**data, "csrf_token": csrf_token(client, "/")})


def test_filter_sort_and_pages(app):
    client, user_id = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    for n in range(53):
        make_child(app, user_id, data={"details": details(
            given=f"Kid{n:02d}", family="Zed" if n % 2 else "Abbott",
            dob=f"{2010 + n % 5}-03-0{1 + n % 9}"), "services": []})
    everyone = client.get("/children/").get_data(as_text=True)
    assert "53 children" in everyone and "Showing 1 to 50 of 53" in everyone
    assert "Page 1 of 2" in everyone
    second = _list(client, page="2").get_data(as_text=True)
    assert "Showing 51 to 53 of 53" in second
    abbotts = _list(client, name="abb").get_data(as_text=True)
    assert "27 children match" in abbotts and "Zed" not in abbotts.split("<tbody")[1]
    born = _list(client, born="2012").get_data(as_text=True)
    assert "11 children match" in born
    youngest = _list(client, order="youngest").get_data(as_text=True)
    first_row = youngest.split("<tbody")[1].split("</tr>")[0]
    assert "2014" in first_row
    bad = _list(client, born="12")
    assert bad.status_code == 422 and "Enter a year like 2015" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Child)) == 53
        body = db.session.execute(sa.select(AuditDetail.body).join(
            AuditEvent, AuditEvent.seq == AuditDetail.event_seq).where(
            AuditEvent.action == "children.listed").order_by(AuditEvent.seq.desc())).first()[0]
    assert "abb" not in json.dumps([body])  # which filters, never the name typed


def test_the_name_typed_never_goes_into_the_address(app):
    client, user_id = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    make_child(app, user_id)
    page = client.get("/children/").get_data(as_text=True)
    form = page.split('aria-label="Filter and sort the list"')[0].rsplit("<form", 1)[1]
    assert "<table" not in page.split('id="list-filters"')[1].split("</form>")[0]  # prints
    assert 'method="post"' in form
    assert "Amelia" in _list(client, name="ame").get_data(as_text=True)
