"""The management team's audit views, monitoring, CSV export; everyone's own history."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine

from app.services.monitoring import spreadsheet_cell
from tests.conftest import csrf_token
from tests.integration.children_helpers import details, events, make_child, open_record, person


@pytest.fixture
def world(make_app):
    app = make_app(MONITOR_DAILY_VIEWS=3)
    manager = person(app, "admin", "County Council", "manager@county.example")
    head = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    child_id = make_child(app, head[1], data={"details": details(), "services": []})
    return {"app": app, "manager": manager, "head": head, "child": child_id}


def test_only_management_reads_the_trail(world):
    head = world["head"][0]
    for path in ("/audit", "/audit/monitoring", f"/audit/children/{world['child']}"):
        assert head.get(path).status_code == 403
    assert head.post("/audit/export", data={"csrf_token": csrf_token(head, "/")}
                     ).status_code == 403


def test_filters_and_child_history(world):
    app, manager, head = world["app"], world["manager"][0], world["head"][0]
    open_record(head, world["child"], category="safeguarding", detail="Concern raised by nurse")
    page = manager.get(f"/audit?action=child.viewed&child={world['child']}&reason=safeguarding"
                       f"&user={world['head'][1]}").get_data(as_text=True)
    assert "1 event" in page and "Concern raised by nurse" in page
    none = manager.get("/audit?action=child.viewed&reason=other").get_data(as_text=True)
    assert "0 events" in none
    history = manager.get(f"/audit/children/{world['child']}").get_data(as_text=True)
    assert "Head" in history and "Safeguarding or child protection" in history
    assert events(app, "audit.child_history_viewed")
    bad = manager.get("/audit?child=abc")
    assert bad.status_code == 422


def test_the_trail_says_what_happened_in_words_not_codes(world):
    """Issue 17 (wording): the trail showed raw codes such as children.listed."""
    manager, head = world["manager"][0], world["head"][0]
    head.get("/children/")
    open_record(head, world["child"], category="safeguarding")
    page = manager.get("/audit").get_data(as_text=True)
    table = page.split("<tbody")[1].split("</tbody>")[0]
    assert "Looked at the children list" in table and "Opened a page of a child" in table
    assert "children.listed" not in table and "child.viewed" not in table
    assert '<option value="child.viewed">Opened a page of a child&#39;s record</option>' in page
    from app.services.audit_labels import label

    assert label("mediated.claimed") == "Started work on a look-up request" and \
        label("search") == "Searched the directory"


def test_date_range_uses_london_days(world):
    manager, head = world["manager"][0], world["head"][0]
    open_record(head, world["child"])
    today = datetime.now(UTC)
    # the widget names all three boxes date_from, so a browser repeats the name
    query = (f"/audit?action=child.viewed&date_from={today.day}&date_from={today.month}"
             f"&date_from={today.year}&date_to={today.day}&date_to={today.month}"
             f"&date_to={today.year}")
    assert "1 event" in manager.get(query).get_data(as_text=True)
    old = "/audit?action=child.viewed&date_to=1&date_to=1&date_to=2020"
    assert "0 events" in manager.get(old).get_data(as_text=True)


def test_monitoring_shows_out_of_hours_volume_and_capped_searches(world):
    app, manager = world["app"], world["manager"][0]
    with time_machine.travel(datetime(2026, 11, 21, 23, 30, tzinfo=UTC), tick=True):
        late, _ = person(app, "practitioner", "Night Owls", "owl@night.example")
        for _ in range(3):
            open_record(late, world["child"], category="coordinating")
        for given in ("Ava", "Ben"):
            make_child(app, world["head"][1], data={"details": details(given=given),
                                                    "services": []})
        app.config["SEARCH_CAP"] = 1
        late.post("/search", data={"family_name": "O'Neill", "date_of_birth": ["14", "2", "2016"],
                                   "csrf_token": csrf_token(late, "/search")})
    page = manager.get("/audit/monitoring").get_data(as_text=True)
    busy = page.split("Most in one day")[1].split("</table>")[0]
    assert "Owl" in busy and "Night Owls" in busy
    late_table = page.split("outside 7am to 7pm")[1].split("</table>")[0]
    assert late_table.count("Opened a page of a child") == 3
    capped = page.split("more than the cap")[1].split("</table>")[0]
    assert "Searched the directory (capped)" in capped


def test_csv_export_escapes_formulas_and_is_audited(world):
    app, manager, head = world["app"], world["manager"][0], world["head"][0]
    open_record(head, world["child"], category="other", detail="=HYPERLINK(\"http://x\")")
    response = manager.post("/audit/export", data={"action": "child.viewed",
                                                   "csrf_token": csrf_token(manager, "/")})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][0] == "event" and len(rows) == 2
    assert rows[1][8] == "'=HYPERLINK(\"http://x\")"
    assert events(app, "audit.exported")
    for raw, safe in (("=1+1", "'=1+1"), ("+44", "'+44"), ("-2", "'-2"), ("@SUM", "'@SUM"),
                      ("plain", "plain"), (None, "")):
        assert spreadsheet_cell(raw) == safe


def test_everyone_sees_their_own_history(world):
    head = world["head"][0]
    open_record(head, world["child"], category="coordinating", detail="TAF meeting")
    page = head.get("/account/history").get_data(as_text=True)
    assert "Opened a page of a child" in page and "TAF meeting" in page
    assert "manager@county.example" not in page
    assert "Sign-in" in page
