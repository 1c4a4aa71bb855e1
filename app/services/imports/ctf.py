"""The DfE Common Transfer File (CTF): `CTfile` > `CTFpupilData` > `Pupil`, read with
defusedxml (no DTDs, so no external entities and no entity expansion bombs) into the same
columns as a CSV export. Tested with versions 20, 25 and 26 (see the README): `Gender`
became `Sex` around version 23 and both are read; addresses come as BS7666 parts or as
AddressLine1..5; a contact's `Responsibility` says whether they have parental
responsibility; `AddressAsPupil` means they live with the child."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeXML
from defusedxml import DefusedXmlException

from app.core.errors import Refused

SEX = {"M": "Male", "F": "Female"}
RELATIONSHIPS = {"PAM": "Mother", "PAF": "Father", "CAR": "Carer", "FOM": "Foster mother",
                 "FOF": "Foster father", "STM": "Step-mother", "STF": "Step-father",
                 "REL": "Relative", "RLT": "Relative", "CHM": "Childminder", "OTH": "Other"}


def _text(node: Element | None, *path: str) -> str:
    for step in path:
        if node is None:
            return ""
        node = node.find(step)
    return (node.text or "").strip() if node is not None else ""


def _address(node: Element | None) -> tuple[str, str, str, str]:
    """(line 1, line 2, town, postcode) from either form of CTF address."""
    if node is None:
        return "", "", "", ""
    postcode = _text(node, "PostCode") or _text(node, "Postcode")
    bs = node.find("BS7666Address")
    if bs is not None:
        first = " ".join(p for p in (_text(bs, "SAON"), _text(bs, "PAON"),
                                     _text(bs, "Street")) if p)
        town = _text(bs, "PostTown") or _text(bs, "Town")
        return first, _text(bs, "Locality"), town, postcode
    lines = [_text(node, "AddressLines", f"AddressLine{n}") for n in range(1, 6)]
    lines = [line for line in lines if line]
    town = lines.pop() if len(lines) > 1 else ""
    return (lines[0] if lines else ""), ", ".join(lines[1:]), town, postcode


def _phone(node: Element) -> str:
    phones = node.findall("Phones/Phone")
    return _text(phones[0], "PhoneNo") if phones else ""


def _contact(row: dict[str, str], n: int, contact: Element, home: tuple) -> None:
    name = " ".join(p for p in (_text(contact, "Forename"), _text(contact, "Surname")) if p)
    code = _text(contact, "Relationship").upper()
    as_pupil = _text(contact, "Address", "AddressAsPupil").lower() in ("true", "1")
    prefix = f"Contact {n}"
    row[f"{prefix} name"] = name
    row[f"{prefix} relationship"] = RELATIONSHIPS.get(code, code.title())
    row[f"{prefix} parental responsibility"] = (
        "Yes" if _text(contact, "Responsibility").lower() in ("true", "1") else "No")
    row[f"{prefix} phone"] = _phone(contact)
    row[f"{prefix} email"] = _text(contact, "Email")
    if not as_pupil and contact.find("Address") is not None:
        parts = _address(contact.find("Address"))
        if parts != home:
            row[f"{prefix} address"] = ", ".join(p for p in parts if p)


def _pupil(pupil: Element) -> dict[str, str]:
    details = pupil.find("BasicDetails")
    middle = _text(pupil, "MiddleNames") or _text(details, "MiddleNames")
    former = _text(pupil, "FormerSurname") or _text(details, "FormerSurname")
    home = _address(pupil.find("Address"))
    row = {"UPN": _text(pupil, "UPN"), "ULN": _text(pupil, "UniqueLearnerNumber"),
           "Surname": _text(pupil, "Surname"), "Forename": _text(pupil, "Forename"),
           "Middle names": middle, "Former surname": former,
           "Date of birth": _text(pupil, "DOB"),
           "Sex": SEX.get((_text(pupil, "Sex") or _text(pupil, "Gender")).upper(), ""),
           "Address line 1": home[0], "Address line 2": home[1], "Town": home[2],
           "Postcode": home[3]}
    contacts = sorted(pupil.findall("Contacts/Contact"),
                      key=lambda c: int(_text(c, "Order")) if _text(c, "Order").isdigit()
                      else 99)
    for n, contact in enumerate(contacts[:2], start=1):
        _contact(row, n, contact, home)
    return row


def ctf_rows(content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """The pupils of a CTF, numbered from 1 in file order."""
    try:
        root = SafeXML.fromstring(content, forbid_dtd=True)
    except (DefusedXmlException, ParseError, ValueError) as error:
        kind = "declares a DTD or entities, which we never read" if isinstance(
            error, DefusedXmlException) else "is not well-formed XML"
        raise Refused(f"The file {kind}: export a Common Transfer File from your MIS again"
                      ) from None
    if root.tag != "CTfile" or root.find("CTFpupilData") is None:
        raise Refused("The XML file is not a Common Transfer File (it has no CTFpupilData)")
    for number, pupil in enumerate(root.iterfind("CTFpupilData/Pupil"), start=1):
        yield number, _pupil(pupil)
