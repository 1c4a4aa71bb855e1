"""Eligibility: any lapse blocks everything but sign-out and the lapse pages; DBS at three
years; a new policy version; administrators' powers and their limits."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.models import User
from app.security import ELIGIBILITY_OPEN
from app.services import eligibility
from tests.conftest import PASSWORD, csrf_token, make_user, sign_in
from tests.integration.children_helpers import events, person

LAPSES = {
    "nomination": {"nominated_at": None},
    "role": {"role_category": None},
    "training": {"training_completed_on": None},
    "dbs": {"dbs_checked_on": None},
    "dbs_old": {"dbs_checked_on": date(2020, 1, 1)},
    "policy": {"policy_version": "2020-01"},
}


def _set(app, user_id, **values):
    with app.app_context():
        user = db.session.get(User, user_id)
        for name, value in values.items():
            setattr(user, name, value)
        db.session.commit()


def _url(rule) -> str:
    def value(match):
        converter = match.group(0)
        if converter.startswith("<any("):
            return converter[5:].split(",")[0].split(")")[0].strip().strip("'")
        return "1" if converter.startswith("<int:") else "x"
    return re.sub(r"<[^>]+>", value, rule.rule)


@pytest.mark.parametrize("lapse", sorted(LAPSES))
def test_each_lapse_blocks_every_route_but_sign_out_and_the_lapse_pages(app, lapse):
    client, user_id = person(app, "admin", "County Council", "manager@county.example")
    _set(app, user_id, **LAPSES[lapse])
    public = {e for e, v in app.view_functions.items() if getattr(v, "is_public", False)}
    public.add("static")
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in public or rule.endpoint in ELIGIBILITY_OPEN:
            continue
        for method in ("GET", "POST"):
            if method not in rule.methods:
                continue
            for headers in ({}, {"HX-Request": "true"}):
                data = {"csrf_token": csrf_token(client, "/access/policy")} \
                    if method == "POST" else None
                response = client.open(_url(rule), method=method, data=data, headers=headers)
                if headers:
                    assert response.status_code == 403, (rule.rule, method)
                    assert response.headers["HX-Redirect"].endswith("/access")
                else:
                    assert response.status_code == 302, (rule.rule, method)
                    assert response.location.endswith("/access"), (rule.rule, method)
                checked += 1
    assert checked > 40
    page = client.get("/access")
    assert page.status_code == 403
    text = page.get_data(as_text=True)
    expected = {lapse.message for lapse in eligibility.lapses(_user(app, user_id))}
    assert all(m.replace("'", "&#39;") in text for m in expected)
    assert client.post("/sign-out", data={"csrf_token": csrf_token(client, "/access/policy")}
                       ).status_code == 302


def _user(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_dbs_check_lapses_on_its_third_anniversary_with_a_warning_before(app):
    client, user_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    today = datetime.now(UTC).date()
    checked = today.replace(year=today.year - 3) + timedelta(days=20)  # lapses in 20 days
    _set(app, user_id, dbs_checked_on=checked)
    home = client.get("/")
    assert home.status_code == 200 and "Your DBS check lapses on" in home.get_data(as_text=True)
    lapse_day = eligibility.dbs_lapses_on(checked)
    with time_machine.travel(datetime.combine(lapse_day - timedelta(days=1),
                                              datetime.min.time(), tzinfo=UTC)
                             + timedelta(hours=12), tick=False):
        assert eligibility.lapses(_user(app, user_id)) == []
    with time_machine.travel(datetime.combine(lapse_day, datetime.min.time(),
                                              tzinfo=UTC) + timedelta(hours=1),
                             tick=False):
        assert [lapse.code for lapse in eligibility.lapses(_user(app, user_id))] == ["dbs"]


def test_dbs_three_years_from_29_february():
    assert eligibility.dbs_lapses_on(date(2024, 2, 29)) == date(2027, 2, 28)
    assert eligibility.dbs_lapses_on(date(2023, 8, 31)) == date(2026, 8, 31)


def test_a_new_policy_version_must_be_signed_again(app, monkeypatch):
    client, user_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    assert client.get("/").status_code == 200
    monkeypatch.setattr(eligibility, "POLICY_VERSION", "2027-01")
    response = client.get("/")
    assert response.location.endswith("/access")
    assert "it has changed since you signed it" in client.get("/access").get_data(as_text=True)
    signed = client.post("/access/policy", data={"agree": "y",
                                                 "csrf_token": csrf_token(client, "/access")})
    assert signed.status_code == 302 and client.get("/").status_code == 200
    assert _user(app, user_id).policy_version == "2027-01"
    assert events(app, "policy.signed")


def test_setting_admin_is_refused_on_another_organisations_users(app):
    _, host_admin = person(app, "admin", "County Council", "manager@county.example")
    setting_admin, _ = person(app, "admin", "Hilltop School", "boss@hilltop.example")
    _, other_user = person(app, "practitioner", "Riverside Youth", "ola@riverside.example")
    for path in (f"/admin/users/{other_user}", f"/admin/users/{host_admin}"):
        assert setting_admin.get(path).status_code == 403
    token = csrf_token(setting_admin, "/")
    for action in ("deactivate", "unlock", "sign-out"):
        assert setting_admin.post(f"/admin/users/{other_user}/{action}",
                                  data={"csrf_token": token}).status_code == 403
    assert setting_admin.post(f"/admin/users/{other_user}/role",
                              data={"r-role": "admin", "csrf_token": token}).status_code == 403
    assert "Riverside" not in setting_admin.get("/admin/eligibility").get_data(as_text=True)


def test_nobody_raises_their_own_role(app):
    client, user_id = person(app, "admin", "Hilltop School", "boss@hilltop.example")
    response = client.post(f"/admin/users/{user_id}/role",
                           data={"r-role": "admin", "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 422 and "own role" in response.get_data(as_text=True)
    practitioner, pid = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    assert practitioner.post(f"/admin/users/{pid}/role", data={
        "r-role": "admin", "csrf_token": csrf_token(practitioner, "/")}).status_code == 403
    with app.app_context():
        assert db.session.get(User, pid).role.value == "practitioner"


def test_admin_records_eligibility_and_deactivates(app):
    admin, _ = person(app, "admin", "Hilltop School", "boss@hilltop.example")
    staff, staff_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    _set(app, staff_id, dbs_checked_on=None)
    assert staff.get("/").status_code == 302
    assert "Head" in admin.get("/admin/eligibility").get_data(as_text=True)
    saved = admin.post(f"/admin/users/{staff_id}/eligibility", data={
        "e-role_category": "pastoral_lead", "e-training": ["1", "9", "2026"],
        "e-dbs": ["1", "9", "2026"], "e-nominate": "yes", "csrf_token": csrf_token(admin, "/")})
    assert saved.status_code == 302 and staff.get("/").status_code == 200
    admin.post(f"/admin/users/{staff_id}/deactivate", data={"confirm": "yes",
                                                          "csrf_token": csrf_token(admin, "/")})
    assert staff.get("/").status_code == 302  # signed out everywhere
    actions = {e.action for e in events(app, "user.deactivated")} | {
        e.action for e in events(app, "user.eligibility_changed")}
    assert actions == {"user.deactivated", "user.eligibility_changed"}


def test_reset_authenticator_needs_a_reason_and_the_user_reenrols(app_without_email):
    app = app_without_email  # the link is read off the page
    admin, _ = person(app, "admin", "Hilltop School", "boss@hilltop.example")
    user_id, email, secret = make_user(app, role="practitioner", email="pat@hilltop.example")
    refused = admin.post(f"/admin/users/{user_id}/reset-authenticator",
                         data={"t-reason": "", "csrf_token": csrf_token(admin, "/")})
    assert refused.status_code == 422
    done = admin.post(f"/admin/users/{user_id}/reset-authenticator", data={
        "t-reason": "Lost phone; identity checked in person",
        "csrf_token": csrf_token(admin, "/")})
    link = re.search(r'id="reenrol-link">http://localhost([^<]+)<',
                     done.get_data(as_text=True)).group(1)
    told = sign_in(app.test_client(), email, secret)
    assert told.status_code == 403 and "reset your authenticator app" in told.get_data(
        as_text=True)
    user = app.test_client()
    assert user.get(link).status_code == 302
    page = user.get("/reenrol").get_data(as_text=True)
    new_secret = re.search(r'id="totp-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    wrong = user.post("/reenrol", data={"password": "not it at all, sorry",
                                        "code": pyotp.TOTP(new_secret).now(),
                                        "csrf_token": csrf_token(user, "/reenrol")})
    assert wrong.status_code == 422
    ok = user.post("/reenrol", data={"password": PASSWORD, "code": pyotp.TOTP(new_secret).now(),
                                     "csrf_token": csrf_token(user, "/reenrol")})
    assert ok.status_code == 200 and "recovery codes" in ok.get_data(as_text=True)
    assert app.test_client().get(link).status_code == 404  # single use
    assert events(app, "user.totp_reset") and events(app, "totp.reenrolled")


def test_cli_creates_eligible_users_unless_told_otherwise(app, runner):
    result = runner.invoke(args=["users", "create", "--email", "x@y.example", "--name", "X",
                                 "--role", "practitioner", "--organisation", "Org",
                                 "--password-stdin", "--dbs-date", "2020-01-01",
                                 "--policy-unsigned"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.dbs_checked_on == date(2020, 1, 1) and user.policy_version is None
        assert {lapse.code for lapse in eligibility.lapses(user)} == {"dbs", "policy"}
