"""Password policy and hashing; British date formatting."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.services import passwords
from app.services.clock import format_date, format_datetime


@pytest.mark.parametrize("password,problem", [
    ("a" * 11, "at least 12"),
    ("a" * 129, "128 characters or fewer"),
    ("qwerty123456789", "too common"),
    ("1234password!!", "too common"),
    ("My Hilltop-School pass", "organisation"),
    ("teamaround is great", "name of this service"),
])
def test_policy_refuses(app, password, problem):
    problems = passwords.policy_problems(password, organisation_name="Hilltop School")
    assert problems and problem in problems[0]


@pytest.mark.parametrize("password", [
    "plum orbit lantern gravel", "        spaces count too", "ünïcödé pässwörd 🙂 ok", "x" * 128])
def test_policy_accepts_any_characters_without_composition_rules(app, password):
    assert passwords.policy_problems(password, organisation_name="Hilltop School") == []


def test_hashes_are_argon2id_and_verify(app):
    with app.app_context():
        hashed = passwords.hash_password("plum orbit lantern gravel")
        assert hashed.startswith("$argon2id$")
        assert passwords.verify_password(hashed, "plum orbit lantern gravel")[0]
        assert not passwords.verify_password(hashed, "plum orbit lantern grave")[0]
        assert passwords.verify_password(None, "anything at all here") == (False, False)


def test_british_dates():
    assert format_date(date(2015, 3, 3)) == "3 March 2015"
    assert format_datetime(datetime(2026, 7, 1, 13, 5)) == "1 July 2026 at 2:05pm"  # BST
    assert format_datetime(datetime(2026, 1, 1, 0, 30)) == "1 January 2026 at 12:30am"
