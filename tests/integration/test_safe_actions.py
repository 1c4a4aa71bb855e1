"""Destructive actions ask first, on a page of their own (issue 17, item 2): a draft is
not thrown away by one click, nor an account deactivated."""

from __future__ import annotations

from app.models import ChildDraft, User
from tests.conftest import csrf_token
from tests.integration.children_helpers import count, person


def _draft(client) -> str:
    start = client.post("/children/new", data={"csrf_token": csrf_token(client, "/children/")})
    return start.location.rsplit("/", 1)[0]  # /children/new/<id>


def test_throwing_away_a_draft_asks_first(app):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    draft = _draft(client)
    step = client.get(draft + "/identifiers").get_data(as_text=True)
    assert f'href="{draft}/cancel?back=identifiers"' in step
    assert "<button" not in step.split("Cancel and throw this away")[0].rsplit("<p", 1)[-1]
    one_click = client.post(draft + "/cancel", data={"csrf_token": csrf_token(client, "/")})
    assert one_click.status_code == 200 and count(app, ChildDraft) == 1  # asked, kept
    asked = client.get(draft + "/cancel?back=identifiers").get_data(as_text=True)
    assert "Throw away this child\u2019s details?" in asked
    assert f'href="{draft}/identifiers"' in asked  # "No, go back" returns to the step
    elsewhere = client.get(draft + "/cancel?back=https://evil.example").get_data(as_text=True)
    assert "evil.example" not in elsewhere and f'href="{draft}/check"' in elsewhere
    done = client.post(draft + "/cancel", data={"confirm": "yes",
                                                "csrf_token": csrf_token(client, "/")})
    assert done.status_code == 302 and count(app, ChildDraft) == 0


def test_deactivating_an_account_asks_first(app):
    admin, _ = person(app, "admin", "Hilltop School", "ann@hilltop.example")
    _, staff_id = person(app, "practitioner", "Hilltop School", "pat@hilltop.example")
    page = admin.get(f"/admin/users/{staff_id}").get_data(as_text=True)
    assert f'href="/admin/users/{staff_id}/deactivate"' in page
    one_click = admin.post(f"/admin/users/{staff_id}/deactivate",
                           data={"csrf_token": csrf_token(admin, "/")})
    assert one_click.status_code == 200
    assert count(app, User, User.id == staff_id, User.active.is_(True)) == 1
    assert "Deactivate Pat\u2019s account?" in one_click.get_data(as_text=True)
    done = admin.post(f"/admin/users/{staff_id}/deactivate",
                      data={"confirm": "yes", "csrf_token": csrf_token(admin, "/")})
    assert done.status_code == 302
    assert count(app, User, User.id == staff_id, User.active.is_(False)) == 1
