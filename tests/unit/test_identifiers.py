"""NHS numbers, UPNs and ULNs: published valid and invalid examples and check digits."""

from __future__ import annotations

import pytest

from app.models import Scheme
from app.services.identifiers import display, normalise, uln_check_digit


@pytest.mark.parametrize("raw,stored", [
    ("943 476 5919", "9434765919"),   # the NHS's own published test number
    ("9434765919", "9434765919"),
    ("401-023-2137", "4010232137"),
])
def test_valid_nhs_numbers(raw, stored):
    assert normalise(Scheme.nhs, raw) == stored


@pytest.mark.parametrize("raw,message", [
    ("943 476 5918", "check the last digit"),
    ("943 476 591", "must be 10 digits"),
    ("94347659A9", "only numbers"),
])
def test_invalid_nhs_numbers(raw, message):
    with pytest.raises(ValueError, match=message):
        normalise(Scheme.nhs, raw)


def test_upn_check_letter():
    assert normalise(Scheme.upn, "b801200005001") == "B801200005001"
    with pytest.raises(ValueError, match="check letter"):
        normalise(Scheme.upn, "A801200005001")
    with pytest.raises(ValueError, match="13 characters"):
        normalise(Scheme.upn, "B80120000500")
    with pytest.raises(ValueError, match="local authority"):
        normalise(Scheme.upn, "B999200005001")


@pytest.mark.parametrize("nine,check", [("123456789", 9), ("200000000", 1), ("100000000", 0)])
def test_uln_check_digit(nine, check):
    assert uln_check_digit(nine) == check
    assert normalise(Scheme.uln, nine + str(check)) == nine + str(check)


def test_uln_refusals():
    with pytest.raises(ValueError, match="check the last digit"):
        normalise(Scheme.uln, "1234567890")
    with pytest.raises(ValueError, match="10 digits"):
        normalise(Scheme.uln, "123456789")
    with pytest.raises(ValueError, match="does not start with 0"):
        normalise(Scheme.uln, "0123456789")


def test_nine_digits_whose_remainder_is_zero_have_no_valid_uln():
    nine = "987654321"  # weighted sum 330 = 30 x 11
    assert uln_check_digit(nine) is None
    for last in "0123456789":
        with pytest.raises(ValueError):
            normalise(Scheme.uln, nine + last)


def test_display_groups_nhs_numbers():
    assert display(Scheme.nhs, "9434765919") == "943 476 5919"
    assert display(Scheme.upn, "B801200005001") == "B801200005001"
