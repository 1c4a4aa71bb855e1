"""Reading an uploaded MIS export: CSV (UTF-8 with or without BOM, or Windows-1252 from
Excel) or a DfE Common Transfer File (XML), told apart by content. A file we cannot read
safely is refused with one plain sentence and nothing is written.

Every row comes out as (row number, {column: text}) with the CSV column names of
docs/import-template.csv (the CTF reader maps its elements onto the same names)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from app.core.errors import Refused

MAX_COLUMNS = 200
MAX_FIELD = 10_000  # characters in one cell: no real MIS field comes near it

# The documented columns (the template's header) and the other names exports use for them
COLUMNS = ["UPN", "ULN", "NHS number", "Local reference", "Surname", "Forename",
           "Middle names", "Former surname", "Date of birth", "Sex", "Address line 1",
           "Address line 2", "Town", "Postcode",
           "Contact 1 name", "Contact 1 relationship", "Contact 1 parental responsibility",
           "Contact 1 phone", "Contact 1 email", "Contact 1 address",
           "Contact 2 name", "Contact 2 relationship", "Contact 2 parental responsibility",
           "Contact 2 phone", "Contact 2 email", "Contact 2 address"]
SYNONYMS = {
    "uniquepupilnumber": "UPN", "uniquelearnernumber": "ULN", "nhsno": "NHS number",
    "admissionnumber": "Local reference", "adno": "Local reference",
    "familyname": "Surname", "legalsurname": "Surname", "lastname": "Surname",
    "givenname": "Forename", "givennames": "Forename", "firstname": "Forename",
    "legalforename": "Forename", "middlename": "Middle names",
    "previoussurname": "Former surname", "dob": "Date of birth", "birthdate": "Date of birth",
    "gender": "Sex", "addressline1": "Address line 1", "addressline2": "Address line 2",
    "posttown": "Town", "postcode": "Postcode", "towncity": "Town",
}


def header_key(name: str) -> str:
    """A header as we compare it: case, spaces and punctuation ignored."""
    return re.sub(r"[^a-z0-9]", "", name.casefold())


_KNOWN = {header_key(c): c for c in COLUMNS} | SYNONYMS


def kind_of(content: bytes) -> str:
    """"csv" or "ctf" by what the file holds, or Refused saying what it is."""
    if content[:4] == b"PK\x03\x04" or content[:2] == b"\x1f\x8b":
        raise Refused("This is a compressed file. Export the pupils from your MIS as a CSV "
                      "file or a Common Transfer File (XML) and upload that")
    if not content.strip():
        raise Refused("The file is empty")
    start = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    if start.startswith(b"<"):
        return "ctf"
    return "csv"


def decode(content: bytes) -> str:
    """The text of a CSV file: UTF-8 (BOM or not), else Windows-1252 as Excel saves."""
    if b"\x00" in content:
        raise Refused("The file holds NUL bytes, so it is not a CSV export. Save it from "
                      "your MIS or spreadsheet as CSV and try again")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise Refused("The file's characters cannot be read. Save it as CSV UTF-8 and try "
                      "again") from None


def csv_rows(content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a CSV export keyed by our column names; blank rows and columns ignored.
    Row numbers count the header as row 1, as a spreadsheet shows them."""
    reader = csv.reader(io.StringIO(decode(content), newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise Refused("The file is empty")
        if len(header) > MAX_COLUMNS:
            raise Refused(f"The file has {len(header)} columns: an export of pupils has far "
                          "fewer. Check it is the right file")
        names = [_KNOWN.get(header_key(h)) for h in header]
        if "Surname" not in names or "Forename" not in names:
            raise Refused("The first row must name the columns, including Surname, Forename "
                          "and Date of birth. Download the template to see them")
        for number, cells in enumerate(reader, start=2):
            if len(cells) > MAX_COLUMNS or any(len(c) > MAX_FIELD for c in cells):
                raise Refused(f"Row {number} is far too long to be a pupil's details")
            if not any(c.strip() for c in cells):
                continue
            yield number, {name: cell for name, cell in zip(names, cells, strict=False)
                           if name}
    except csv.Error as error:
        raise Refused(f"The file is not a well-formed CSV file (line {reader.line_num}: "
                      f"{error})") from None


def template() -> str:
    """The CSV template: the documented header and one example row."""
    example = ["B801200005001", "", "", "1234", "O'Neill", "Amelia", "Rose", "", "14/02/2016",
               "F", "7 Marigold Crescent", "", "Bristol", "BS1 4DJ", "Sarah O'Neill", "Mother",
               "Yes", "07700 900 555", "", "", "", "", "", "", "", ""]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([COLUMNS, example])
    return out.getvalue()
