"""Calendar arithmetic: the one place for "N months later" and "N years later", on
dateutil's relativedelta. Each legal purpose has one rule for 29 February, written here:

- Calendar months (subject access deadlines, shield reviews): the same day of the month
  N months on, or the last day of that month when it is shorter (31 August + 6 months is
  28 or 29 February; 31 January + 1 month is 28 or 29 February). add_months().
- Ages and retention periods (archiving at 18, consent to stay to 20 or 25, destruction
  6 years after archiving, one year after a death, an involvement's contact details a
  year after it ends): someone born on 29 February reaches an age on 1 March in a year
  without one, as UK law counts ages, never on 28 February; every period counted in
  years from a 29 February ends on 1 March likewise. anniversary().
- Validity that must never outlast its term (an enhanced DBS check lapses on its third
  anniversary), and cut-offs counted back from today (born on or before the day someone
  reached an age; the 25-year limit on a date of birth): 29 February becomes 28 February,
  the earlier day. anniversary_clamped().
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


def add_months(day: date, months: int) -> date:
    """The same day of the month, months later (or earlier); the last day of the month
    when that month is shorter."""
    return day + relativedelta(months=months)


def anniversary(day: date, years: int) -> date:
    """The same date years later (or earlier), as UK law counts ages and periods:
    29 February falls on 1 March in a year without one."""
    moved = day + relativedelta(years=years)
    if (day.month, day.day) == (2, 29) and moved.day == 28:
        moved += timedelta(days=1)
    return moved


@functools.lru_cache(maxsize=4096)
def anniversary_clamped(day: date, years: int) -> date:
    """The same date years later (or earlier), never past it: 29 February falls on
    28 February in a year without one. Remembered: every request asks it of the signed-in
    person's DBS check, and relativedelta is slow (0.8% of a search -> reason -> page
    cycle)."""
    return day + relativedelta(years=years)
