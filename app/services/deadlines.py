"""Subject access deadlines (UK GDPR art. 12(3), ICO guidance).

One calendar month from the day the clock starts: the same date in the next month, or
the last day of that month when it has no such date; moved to the next working day when
it falls on a weekend or an English bank holiday. An extension (recorded, with its
reason, within the first month) makes it three calendar months from the start. A pause
for clarification adds the days the clock stood still.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from app.core.dates import add_months


@lru_cache(maxsize=32)
def _bank_holidays(year: int):
    return holidays.country_holidays("GB", subdiv="ENG", years=[year])


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an English bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day(day: date) -> date:
    """The day itself if it is a working day, else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def due_date(start: date, *, extended: bool = False, paused_days: int = 0) -> date:
    """When the response is due."""
    months = 3 if extended else 1
    return next_working_day(add_months(start, months) + timedelta(days=paused_days))


def may_extend(start: date, today: date, paused_days: int = 0) -> bool:
    """An extension may be recorded only within the first month."""
    return today <= due_date(start, paused_days=paused_days)


def days_left(due: date, today: date) -> int:
    """Calendar days until the deadline (negative when overdue)."""
    return (due - today).days


def urgency(due: date, today: date) -> str:
    """'overdue' (red), 'soon' (amber, under 7 days) or 'ok'."""
    left = days_left(due, today)
    if left < 0:
        return "overdue"
    return "soon" if left < 7 else "ok"
