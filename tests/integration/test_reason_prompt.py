"""The reason prompt (issue 17, item 5): it names the child and the page, offers the last
reason as the first choice, reveals the text box for "Other" only, and is skipped while a
reason stated a moment ago still covers the record."""

from __future__ import annotations

import re

from app.views.records.gate import PAGE_NAMES, PAGES
from tests.conftest import csrf_token
from tests.integration.children_helpers import events, make_child, open_record, person


def test_every_page_behind_the_gate_has_a_name_for_the_prompt():
    assert set(PAGE_NAMES) == set(PAGES)


def test_the_prompt_names_the_child_and_the_page_and_the_look_is_audited(app):
    client, user_id = person(app, "admin", "County Council", "manager@county.example")
    child_id = make_child(app, user_id)
    prompt = client.get(f"/children/{child_id}/reason?page=details")
    html = prompt.get_data(as_text=True)
    assert prompt.status_code == 200
    assert "Why do you need to see Amelia O&#39;Neill\u2019s details, to correct them?" in html
    assert "covers this child\u2019s other pages for the next 10 minutes" in html
    named = events(app, "child.named")
    assert [(e.child_id, e.subject_type) for e in named] == [(child_id, "reason_prompt")]


def test_other_reveals_the_text_box_and_no_choice_is_made_for_the_user(app):
    client, user_id = person(app, "admin", "County Council", "manager@county.example")
    child_id = make_child(app, user_id)
    html = client.get(f"/children/{child_id}/reason").get_data(as_text=True)
    assert 'data-ta-reveal="true"' in html and 'data-module="govuk-radios"' in html
    other = re.search(r'value="other"[^>]*data-aria-controls="([^"]+)"', html)
    assert other, "the Other radio controls the revealed box"
    box = re.search(rf'<div class="govuk-radios__conditional[^"]*" id="{other.group(1)}">'
                    r'(.*?)</div>\s*</div>', html, re.S)
    assert box and 'name="detail"' in box.group(1)
    assert html.count('name="detail"') == 1  # only inside the reveal
    assert "checked" not in re.sub(r"<script.*?</script>", "", html, flags=re.S).split(
        'name="category"')[1][:200]  # nothing chosen in advance


def test_the_prompt_is_skipped_while_a_reason_covers_the_record(app):
    client, user_id = person(app, "admin", "County Council", "manager@county.example")
    child_id = make_child(app, user_id)
    assert open_record(client, child_id, category="coordinating").status_code == 200
    skipped = client.get(f"/children/{child_id}/reason?page=details")
    assert skipped.status_code == 302
    assert skipped.location.endswith(f"/children/{child_id}/details")
    app.config["REASON_COVER_MINUTES"] = 0
    assert client.get(f"/children/{child_id}/reason?page=details").status_code == 200


def test_the_same_reason_again_from_the_older_button_still_works(app):
    client, user_id = person(app, "admin", "County Council", "manager@county.example")
    child_id = make_child(app, user_id)
    open_record(client, child_id, category="safeguarding", detail="Bruising seen")
    app.config["REASON_COVER_MINUTES"] = 0
    response = client.post(f"/children/{child_id}/reason",
                           data={"again": "1", "csrf_token": csrf_token(client, "/")})
    assert client.get(response.location).status_code == 200
    assert [e.reason_category for e in events(app, "child.viewed")] == ["safeguarding"] * 2
