"""Importing a school's roll (issue 15): CSV in the encodings and date styles real exports
use, the DfE Common Transfer File in several versions, matching with the rules of manual
entry (and the disclosure policy), re-import changing nothing, and hostile files refused
with one line, exit 2 and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Carer, Child, Identifier
from tests.integration.children_helpers import count, details, make_child, person

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _import(app, path, *extra, actor="sam@hilltop.example", organisation="Hilltop School"):
    return app.test_cli_runner().invoke(args=[
        "children", "import", str(path), "--organisation", organisation, "--actor", actor,
        *extra])


def _written(app) -> tuple[int, int]:
    return count(app, Child), count(app, AuditEvent)


@pytest.fixture
def school(app):
    person(app, "admin", "County Council", "manager@county.example")
    return person(app, "data_entry", "Hilltop School", "sam@hilltop.example")


def test_a_csv_with_a_bom_dry_run_reports_and_writes_nothing(app, school):
    before = _written(app)
    result = _import(app, FIXTURES / "csv" / "roll_utf8_bom.csv", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "3 rows: 2 new, 0 matched" in result.output and "1 with errors" in result.output
    assert "row 4, Date of birth: Date of birth must be a real date" in result.output
    assert _written(app) == before


def test_a_sex_the_form_does_not_know_is_told_in_the_exports_own_terms(app, school,
                                                                       tmp_path):
    """The export says F, M, X or U: "Not a valid choice" (the radio field's own message)
    would tell a school office nothing."""
    path = tmp_path / "roll.csv"
    path.write_bytes(b"Surname,Forename,Date of birth,Sex\r\nSmith,Zara,01/01/2015,Q\r\n")
    result = _import(app, path, "--dry-run")
    assert "row 2, Sex: Sex must be F, M, X or U (or Female, Male, Other, Unknown)" \
        in result.output, result.output


def test_a_windows_1252_export_with_loose_headers_is_read(app, school):
    result = _import(app, FIXTURES / "csv" / "roll_cp1252.csv")
    assert result.exit_code == 0, result.output
    assert "2 rows: 2 new" in result.output and "Applied: 2 new children added" in result.output
    with app.app_context():
        names = set(db.session.scalars(sa.select(Child.given_names)))
    assert names == {"Amelia", "Brontë"}


def test_applying_then_importing_again_changes_nothing(app, school):
    first = _import(app, FIXTURES / "csv" / "roll_utf8_bom.csv")
    assert "Applied: 2 new children added" in first.output
    with app.app_context():
        carer = db.session.scalar(sa.select(Carer))
        assert carer.name == "Sarah O'Neill" and carer.parental_responsibility
        assert db.session.scalar(sa.select(Child.given_names).where(
            Child.family_name == "O'Neill")) == "Amelia Rose"
    written = _written(app)
    again = _import(app, FIXTURES / "csv" / "roll_utf8_bom.csv")
    assert "2 already recorded" in again.output
    assert "Applied: 0 new children added, 0 existing records now" in again.output
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.seq)
                                     .offset(written[1])).all()
    assert actions == ["import.started", "import.confirmed", "import.applied"]
    assert count(app, Child) == written[0]


def test_a_match_the_importer_may_not_see_is_held_for_the_management_team(app, school):
    _, other_id = person(app, "data_entry", "Riverside Youth", "dee@riverside.example")
    make_child(app, other_id, data={"details": details(given="Amelia", family="O'Neill"),
                                    "identifiers": {"upn": "B801200005001"}})
    result = _import(app, FIXTURES / "csv" / "roll_cp1252.csv")
    assert "1 held for the management team" in result.output
    assert "7 Marigold" not in result.output and "Applied: 1 new child added" in result.output
    manager = _import(app, FIXTURES / "csv" / "roll_cp1252.csv",
                      actor="manager@county.example", organisation="County Council")
    assert "0 new, 2 matched" in manager.output, manager.output  # both are open to it


@pytest.mark.parametrize("name,pupils", [("ctf_v26_full.xml", 3), ("ctf_v20_lines.xml", 2),
                                         ("ctf_minimal.xml", 2),
                                         ("ctf_contact_as_pupil.xml", 1)])
def test_common_transfer_files_of_several_versions(app, school, name, pupils):
    result = _import(app, FIXTURES / "ctf" / name)
    assert result.exit_code == 0, result.output
    assert f"{pupils} rows: {pupils} new" in result.output, result.output
    assert count(app, Child) == pupils
    with app.app_context():
        assert count(app, Identifier) >= pupils
        if name == "ctf_v26_full.xml":
            carers = db.session.scalars(sa.select(Carer)).all()
            assert {c.parental_responsibility for c in carers} == {True, False}


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                  b"<CTfile>&lol2;</CTfile>")
XXE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       b"<CTfile><CTFpupilData><Pupil><Surname>&xxe;</Surname></Pupil></CTFpupilData>"
       b"</CTfile>")


@pytest.mark.parametrize("content,reason", [
    (BILLION_LAUGHS, "DTD"), (XXE, "DTD"),
    (b"PK\x03\x04" + b"\x00" * 100, "compressed"),
    (b"Surname,Forename\r\nO'Neill,Amelia\x00\r\n", "NUL"),
    (b"Surname,Forename\r\n\"O'Neill,Amelia\r\n", "well-formed"),
    (b"Surname,Forename\r\n" + b"x" * (10 * 1024 * 1024) + b",Amelia\r\n", "CSV"),
    (b",".join([b"Surname", b"Forename"] + [b"c"] * 100_000) + b"\r\n", "columns"),
    (b"\x81\x8d\x8f\x90\x9d" * 10, "characters"),
    (b"<html><body>hello</body></html>", "not a Common Transfer File"),
    (b"just some words\r\nmore words\r\n", "name the columns"),
], ids=["billion-laughs", "xxe", "zip", "nul", "quoting", "10MB-field", "100k-columns",
        "unreadable", "other-xml", "neither"])
def test_hostile_files_are_refused_with_one_line_and_nothing_written(app, school, tmp_path,
                                                                     content, reason):
    path = tmp_path / "upload.xml"
    path.write_bytes(content)
    before = _written(app)
    result = _import(app, path)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("Refused: ") and reason in lines[0]
    assert _written(app) == before


def test_a_file_over_the_size_limit_is_refused(make_app, tmp_path):
    app = make_app(IMPORT_MAX_BYTES=1024)
    person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    path = tmp_path / "big.csv"
    path.write_bytes(b"Surname,Forename\r\n" + b"Okafor,Dan\r\n" * 200)
    result = _import(app, path)
    assert result.exit_code == 2 and "larger than" in result.output
