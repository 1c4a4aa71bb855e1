"""The one rule for 29 February per legal purpose (app/core/dates.py)."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.dates import add_months, anniversary, anniversary_clamped


@pytest.mark.parametrize("day,months,expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),     # subject access: last day of February
    (date(2028, 1, 31), 1, date(2028, 2, 29)),     # ... in a leap year
    (date(2026, 8, 31), 6, date(2027, 2, 28)),     # shield review six months on
    (date(2027, 8, 31), 6, date(2028, 2, 29)),
    (date(2026, 11, 25), 1, date(2026, 12, 25)),
    (date(2026, 1, 31), 3, date(2026, 4, 30)),     # an extended deadline
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
])
def test_calendar_months_end_on_the_last_day_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize("day,years,expected", [
    (date(2008, 2, 29), 18, date(2026, 3, 1)),     # 18th birthday in a common year
    (date(2010, 2, 28), 18, date(2028, 2, 28)),
    (date(2012, 2, 29), 16, date(2028, 2, 29)),    # a leap year keeps the day
    (date(2028, 2, 29), 6, date(2034, 3, 1)),      # destroyed six years after archiving
    (date(2028, 2, 29), -1, date(2027, 3, 1)),
    (date(2026, 11, 23), 1, date(2027, 11, 23)),
])
def test_ages_and_retention_periods_reach_29_february_on_1_march(day, years, expected):
    assert anniversary(day, years) == expected


@pytest.mark.parametrize("day,years,expected", [
    (date(2024, 2, 29), 3, date(2027, 2, 28)),     # a DBS check never outlasts its term
    (date(2023, 8, 31), 3, date(2026, 8, 31)),
    (date(2028, 2, 29), -10, date(2018, 2, 28)),   # born on or before: counted back
    (date(2028, 2, 29), -25, date(2003, 2, 28)),
])
def test_validity_and_cut_offs_reach_29_february_on_28_february(day, years, expected):
    assert anniversary_clamped(day, years) == expected


def test_someone_born_on_29_february_is_not_yet_of_age_on_28_february():
    born, today = date(2008, 2, 29), date(2026, 2, 28)
    assert anniversary(born, 18) > today              # archived on 1 March, not before
    assert born > anniversary_clamped(today, -18)     # so not "born 18 years ago" either
