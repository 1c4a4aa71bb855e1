"""One clock for the whole app: naive UTC datetimes, as stored in the database."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    """Return the current time as a naive UTC datetime (built from its date and time:
    replace(tzinfo=None) takes three times as long, and a request asks the time about ten
    times: 0.3% of a search -> reason -> page cycle's instructions)."""
    moment = datetime.now(UTC)
    return datetime.combine(moment.date(), moment.time())


def unix() -> float:
    """Return the current Unix time in seconds."""
    return time.time()


def to_london(value: datetime) -> datetime:
    """Convert a stored naive UTC datetime to Europe/London time."""
    return value.replace(tzinfo=UTC).astimezone(LONDON)


def format_date(value) -> str:
    """Format a date the British way: 3 March 2015."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_london(value)
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime | None) -> str:
    """Format a stored UTC datetime in London time: 3 March 2015 at 2:05pm."""
    if value is None:
        return ""
    local = to_london(value)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{suffix}"
