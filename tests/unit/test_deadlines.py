"""Subject access deadlines: calendar months, short months, weekends, English bank holidays."""

from __future__ import annotations

from datetime import date

import pytest

from app.services.deadlines import due_date, may_extend, urgency


@pytest.mark.parametrize("received,due", [
    (date(2026, 1, 31), date(2026, 3, 2)),    # 28 Feb is a Saturday: Monday 2 March
    (date(2026, 11, 25), date(2026, 12, 29)),  # 25 Dec, weekend, Boxing Day observed 28th
    (date(2026, 3, 15), date(2026, 4, 15)),
    (date(2027, 1, 31), date(2027, 3, 1)),    # 28 Feb 2027 is a Sunday
    (date(2028, 1, 31), date(2028, 2, 29)),   # leap year: 29 February, a Tuesday
    (date(2026, 4, 3), date(2026, 5, 5)),     # 3 May is a Sunday, 4 May a bank holiday
])
def test_one_calendar_month_then_the_next_working_day(received, due):
    assert due_date(received) == due


def test_extension_is_three_months_from_the_start():
    assert due_date(date(2026, 1, 31), extended=True) == date(2026, 4, 30)


def test_extension_only_within_the_first_month():
    start = date(2026, 1, 31)
    assert may_extend(start, date(2026, 3, 2))
    assert not may_extend(start, date(2026, 3, 3))


def test_a_pause_adds_the_days_the_clock_stood_still():
    assert due_date(date(2026, 3, 15), paused_days=10) == date(2026, 4, 27)  # 25th: Saturday


def test_board_colours():
    assert urgency(date(2026, 3, 20), date(2026, 3, 10)) == "ok"
    assert urgency(date(2026, 3, 16), date(2026, 3, 10)) == "soon"
    assert urgency(date(2026, 3, 9), date(2026, 3, 10)) == "overdue"
