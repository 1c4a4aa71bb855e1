"""NHS number, UPN and ULN checks with plain-English messages (python-stdnum where it can)."""

from __future__ import annotations

import re

from stdnum import exceptions as stdnum_errors
from stdnum.gb import nhs, upn

from app.models import Scheme

_SPACES = re.compile(r"[\s-]+")


def _digits(value: str) -> bool:
    """ASCII 0-9 only (str.isdigit also accepts other scripts' digits)."""
    return value.isascii() and value.isdigit()


def uln_check_digit(first_nine: str) -> int | None:
    """The ULN check digit for nine digits, or None when no valid ULN can start so.

    Weights 10 down to 2; remainder of the sum divided by 11; check digit is 10 minus it.
    A remainder of 0 (check digit 10) means the nine digits are never issued.
    """
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1),
                                                           strict=True))
    remainder = total % 11
    return None if remainder == 0 else 10 - remainder


def _uln(value: str) -> str:
    if not _digits(value):
        raise ValueError("A ULN must contain only numbers")
    if len(value) != 10:
        raise ValueError("A ULN must be 10 digits long")
    if value[0] == "0":
        raise ValueError("This ULN is not valid: a ULN does not start with 0")
    if uln_check_digit(value[:9]) != int(value[9]):
        raise ValueError("This ULN is not valid: check the last digit")
    return value


def _nhs(value: str) -> str:
    if not _digits(value):
        raise ValueError("An NHS number must contain only numbers")
    if len(value) != 10:
        raise ValueError("An NHS number must be 10 digits long")
    try:
        return nhs.validate(value)
    except stdnum_errors.InvalidChecksum as error:
        raise ValueError("This NHS number is not valid: check the last digit") from error
    except stdnum_errors.ValidationError as error:
        raise ValueError("This NHS number is not valid: check it and try again") from error


def _upn(value: str) -> str:
    value = value.upper()
    if len(value) != 13:
        raise ValueError("A UPN must be 13 characters long, a letter then 12 characters")
    try:
        return upn.validate(value)
    except stdnum_errors.InvalidChecksum as error:
        raise ValueError("This UPN is not valid: check the first letter, "
                         "which is a check letter") from error
    except stdnum_errors.InvalidComponent as error:
        raise ValueError("This UPN is not valid: the local authority number in "
                         "characters 2 to 4 does not exist") from error
    except stdnum_errors.ValidationError as error:
        raise ValueError("This UPN is not valid: check it and try again") from error


def _local(value: str) -> str:
    if len(value) > 40:
        raise ValueError("A local reference must be 40 characters or fewer")
    return value


_CHECKS = {Scheme.nhs: _nhs, Scheme.upn: _upn, Scheme.uln: _uln, Scheme.local: _local}


def normalise(scheme: Scheme, raw: str) -> str:
    """Return the stored form of an identifier, or raise ValueError with a plain message."""
    value = raw.strip() if scheme == Scheme.local else _SPACES.sub("", raw)
    if not value:
        raise ValueError(f"Enter the {scheme.label}")
    return _CHECKS[scheme](value)


def display(scheme: Scheme, value: str) -> str:
    """How an identifier is shown (on a page, and as the value of a form to correct it):
    NHS numbers in the 3-3-4 groups people read them in."""
    digits = _SPACES.sub("", value) if scheme == Scheme.nhs else value
    if scheme == Scheme.nhs and len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return value


def display_all(values: dict[str, str] | None) -> dict[str, str] | None:
    """Identifiers keyed by scheme value ("nhs", "upn", ...), each as display shows it."""
    if values is None:
        return None
    return {key: display(Scheme(key), value) if value else value
            for key, value in values.items()}
