"""Made-up school rolls as a MIS exports them (CSV), for the import tests and bench."""

from __future__ import annotations

import csv
import io
import random
import string
from datetime import date, timedelta

from stdnum.gb import upn

HEADER = ["UPN", "Surname", "Forename", "Date of birth", "Sex", "Address line 1", "Town",
          "Postcode", "Contact 1 name", "Contact 1 relationship",
          "Contact 1 parental responsibility", "Contact 1 phone"]


def _surname(n: int, width: int = 7) -> str:
    """A made-up surname, different for each n and unlike its neighbours' (a shared prefix
    would make them "similar names" to the duplicate rules)."""
    m = (n * 2654435761 + 12345) % 26 ** width  # a bijection: the multiplier is prime to 26
    out = ""
    for _ in range(width):
        m, digit = divmod(m, 26)
        out += string.ascii_lowercase[digit]
    return out.capitalize()


def pupil_upn(n: int, la: str = "801") -> str:
    """A valid UPN, different for each n."""
    body = f"{la}{n:09d}"
    return upn.calc_check_digit(body) + body


def roll(count: int, *, start: int = 0, seed: int = 7) -> bytes:
    """A CSV export of count pupils, each with a UPN, one contact and a valid address."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for n in range(start, start + count):
        family = _surname(n)
        born = date(2010, 9, 1) + timedelta(days=rng.randrange(0, 12 * 365))
        writer.writerow([pupil_upn(n), family, rng.choice(["Amelia", "Dan", "Zara", "Oliver"]),
                         born.strftime("%d/%m/%Y"), rng.choice("FM"),
                         f"{rng.randrange(1, 200)} High Street", "Bristol", "BS1 4DJ",
                         f"Sam {family}", "Mother", "Yes", "07700 900 555"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
