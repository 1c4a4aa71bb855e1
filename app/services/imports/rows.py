"""Checking one imported row with exactly the rules of manual entry: the add-child forms
themselves (text rules, names, dates, postcodes, identifiers, carers) fed the row's
cells, so an import can store nothing that the wizard would refuse."""

from __future__ import annotations

import re
import threading
from collections.abc import Generator

from flask import Flask
from werkzeug.datastructures import MultiDict

from app.forms.children import (
    CARER_FIELDS,
    DETAIL_FIELDS,
    IDENTIFIER_FIELDS,
    CarerForm,
    DetailsForm,
    IdentifiersForm,
)
from app.forms.fields import form_values
from app.services.imports import helpers

DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")
ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
SEX = {"f": "female", "female": "female", "girl": "female", "m": "male", "male": "male",
       "boy": "male", "x": "other", "other": "other", "u": "not_known", "unknown": "not_known",
       "not known": "not_known"}
YES_NO = {"yes": "yes", "y": "yes", "true": "yes", "1": "yes", "no": "no", "n": "no",
          "false": "no", "0": "no"}

# form field -> the column its errors are reported against
DETAIL_COLUMNS = {"given_names": "Forename", "family_name": "Surname",
                  "other_names": "Former surname", "gender": "Sex",
                  "date_of_birth": "Date of birth", "address_line1": "Address line 1",
                  "address_line2": "Address line 2", "town": "Town", "postcode": "Postcode"}
IDENTIFIER_COLUMNS = {"nhs": "NHS number", "upn": "UPN", "uln": "ULN",
                      "local": "Local reference"}
CARER_COLUMNS = {"name": "name", "relationship": "relationship",
                 "parental_responsibility": "parental responsibility", "address": "address",
                 "phone": "phone", "email": "email"}


_forms = threading.local()


def _filled(form_class, data: MultiDict):
    """The form filled with the row's answers and checked. Each thread makes each form
    once and fills it again for every row: building a form costs three times checking it,
    and an import checks hundreds of thousands."""
    cache = _forms.__dict__.setdefault("cache", {})
    form = cache.get(form_class)
    if form is None:
        form = cache[form_class] = form_class(data, meta={"csrf": False})
    else:
        form.process(data)
    return form, form.validate()


def date_parts(value: str) -> list[str]:
    """A date as dd/mm/yyyy (or with - or .) or yyyy-mm-dd, as the form's three boxes."""
    found = DATE.match(value or "")
    if found:
        return list(found.groups())
    found = ISO.match(value or "")
    if found:
        return [found.group(3), found.group(2), found.group(1)]
    return ["", "", value or ""] if (value or "").strip() else ["", "", ""]


def _errors(form, columns: dict[str, str], prefix: str = "") -> list[tuple[str, str]]:
    return [(prefix + columns.get(name, name), messages[0])
            for name, messages in form.errors.items() if name in columns]


def _details(cells: dict[str, str]):
    given = " ".join(p for p in (cells.get("Forename", "").strip(),
                                 cells.get("Middle names", "").strip()) if p)
    sex = cells.get("Sex", "").strip().casefold()
    data = MultiDict({"given_names": given, "family_name": cells.get("Surname", ""),
                      "other_names": cells.get("Former surname", ""),
                      "gender": SEX.get(sex, sex or ""),
                      "address_line1": cells.get("Address line 1", ""),
                      "address_line2": cells.get("Address line 2", ""),
                      "town": cells.get("Town", ""), "postcode": cells.get("Postcode", "")})
    data.setlist("date_of_birth", date_parts(cells.get("Date of birth", "")))
    form, ok = _filled(DetailsForm, data)
    if not ok and "gender" in form.errors and sex:
        form.gender.errors = ["Sex must be F, M, X or U (or Female, Male, Other, Unknown)"]
    return form, ok


def _carer(cells: dict[str, str], n: int):
    prefix = f"Contact {n} "
    values = {field: cells.get(prefix + column, "") for field, column in CARER_COLUMNS.items()}
    if not any(v.strip() for v in values.values()):
        return None, []
    answer = values["parental_responsibility"].strip().casefold()
    values["parental_responsibility"] = YES_NO.get(answer, answer)
    form, ok = _filled(CarerForm, MultiDict(values))
    if ok:
        return form_values(form, CARER_FIELDS), []
    return None, _errors(form, CARER_COLUMNS, prefix)


def check(cells: dict[str, str]) -> tuple[dict | None, list[tuple[str, str]]]:
    """The row as a draft holds it ({"details", "identifiers", "carers"}), or its errors
    as (column, plain-English message) pairs."""
    details, details_ok = _details(cells)
    errors = _errors(details, DETAIL_COLUMNS)
    details_values = form_values(details, DETAIL_FIELDS) if details_ok else None
    identifiers, identifiers_ok = _filled(IdentifiersForm, MultiDict(
        {field: cells.get(column, "") for field, column in IDENTIFIER_COLUMNS.items()}))
    errors += _errors(identifiers, IDENTIFIER_COLUMNS)
    identifier_values = form_values(identifiers, IDENTIFIER_FIELDS)
    carers = []
    for n in (1, 2):
        carer, problems = _carer(cells, n)
        errors += problems
        if carer:
            carers.append(carer)
    if errors or not (details_ok and identifiers_ok):
        return None, errors or [("", "This row could not be read")]
    return {"details": details_values,
            "identifiers": {k: v for k, v in identifier_values.items() if v},
            "carers": carers}, []


Checked = tuple[dict | None, list[tuple[str, str]]]


def check_many(batch: list[dict[str, str]]) -> list[Checked]:
    """check() for each row of a batch (what a helper process is given)."""
    return [check(cells) for cells in batch]


HELPED_CHUNK = 250  # rows a helper checks at a time


def checked_in_order(found: list[dict[str, str]],
                     processes: int) -> Generator[Checked, None, None]:
    """check() of each row, in order. With processes, helper processes (at a lower
    priority than the web's) put the rows to the forms ahead of the caller, which meanwhile
    matches and stores those already checked: on two cores a 100,000-row roll is checked
    about half again as fast. Rows a helper did not check (it died) are checked here."""
    chunks = [found[start:start + HELPED_CHUNK] for start in range(0, len(found), HELPED_CHUNK)]
    for checked in helpers.in_order(chunks, processes, check_many, check_many,
                                    _helper_started,
                                    instead="its rows are checked by the consumer instead"):
        yield from checked


def _helper_started() -> None:
    """A helper checks rows with the forms alone: no database, no keys, only the
    application context that Flask-WTF asks for (its defaults are the app's)."""
    helpers.lowest_priority()  # the web's pages first
    Flask(__name__).app_context().push()
