"""A big file's rows are put to the add-child forms by helper processes while the consumer
matches and stores the rows already checked (imports.rows.checked_in_order): the very
results of checking them in the consumer, in order, and a helper that dies loses no row."""

from __future__ import annotations

import multiprocessing
import os
import signal

from app.services import imports
from app.services.imports import rows
from tests.rolls import roll

BAD = (b"\r\n,O'Neill,Amelia,31/02/2016,F,,,,,,,\r\n,,Dan,01/01/2015,Q,,,,,,,\r\n"
       b",Smith,Zara,01/01/2015,F,,,SW1,,,,\r\n")


def _cells(app, count: int) -> list[dict[str, str]]:
    """A roll's rows as the file reader gives them, a few with errors among them."""
    content = roll(count).rstrip(b"\r\n") + BAD + roll(count, start=count).split(b"\n", 1)[1]
    with app.app_context():
        return [cells for _, cells in imports.read(content)[1]]


def _helpers() -> set[int]:
    """This process's helpers now (an earlier test's may still be on their way out)."""
    return {p.pid for p in multiprocessing.active_children()}


def test_helpers_check_rows_exactly_as_the_consumer_does(app):
    cells = _cells(app, 700)
    with app.app_context():
        expected = [rows.check(c) for c in cells]
        before, checked = _helpers(), rows.checked_in_order(cells, 2)
        first = next(checked)
        assert len(_helpers() - before) == 2  # the forms ran elsewhere
        found = [first, *checked]
    assert found == expected
    assert [errors for data, errors in found if data is None] == [
        [("Date of birth", "Date of birth must be a real date")],
        [("Surname", "Enter the child's family name"),
         ("Sex", "Sex must be F, M, X or U (or Female, Male, Other, Unknown)")],
        [("Postcode", "Enter a real postcode, like SW1A 1AA")]]


def test_a_helper_that_dies_loses_no_row(app, caplog):
    cells = _cells(app, 1500)
    with app.app_context():
        expected = [rows.check(c) for c in cells]
        before, checked = _helpers(), rows.checked_in_order(cells, 1)
        first = next(checked)
        for helper in _helpers() - before:
            os.kill(helper, signal.SIGKILL)
        found = [first, *checked]
    assert found == expected
    assert "helper process stopped" in caplog.text  # the consumer checked the rest


def test_no_helper_for_none_asked(app):
    cells = _cells(app, 5)
    with app.app_context():
        before, checked = _helpers(), rows.checked_in_order(cells, 0)
        next(checked)
        assert _helpers() <= before
        assert len([*checked]) == len(cells) - 1
