"""The clock lives in app.core.clock (below models and services); this name remains for
scripts and tests that import it from here."""

from app.core.clock import LONDON, format_date, format_datetime, now, to_london, unix

__all__ = ["LONDON", "format_date", "format_datetime", "now", "to_london", "unix"]
