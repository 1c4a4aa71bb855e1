"""Examples in hints must pass their own checks (issue 17: the NHS number hint's example
failed its own check digit), and NHS numbers are shown 3-3-4."""

from __future__ import annotations

import re

from stdnum.gb import nhs

from app.models import Scheme
from app.services import identifiers


def test_the_nhs_number_hint_example_is_a_valid_nhs_number():
    from app.forms.children import IdentifiersForm

    description = IdentifiersForm.nhs.kwargs["description"]
    example = re.search(r"for example ([\d ]+)", description).group(1).strip()
    assert nhs.is_valid(example.replace(" ", "")), example
    assert re.fullmatch(r"\d{3} \d{3} \d{4}", example)  # written the way it is shown


def test_nhs_numbers_are_shown_in_groups_of_three_three_four():
    assert identifiers.display(Scheme.nhs, "9434765919") == "943 476 5919"


def test_a_missing_date_is_asked_for_without_a_doubled_article():
    """"Enter the the training date" (issue 17, wording)."""
    import pytest
    from wtforms import Form

    from app.forms.fields import DayMonthYearField

    class Dated(Form):
        trained = DayMonthYearField("Training completed on", what="The training date")

    form = Dated()
    with pytest.raises(ValueError, match=r"^Enter the training date$"):
        form.trained.process_formdata(["", "", ""])
