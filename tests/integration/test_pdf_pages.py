"""The subject access report and the mediated answer letter as pages: each PDF drawn with
pdftoppm (poppler-utils), the page count checked and page 1 not blank. Their text is read
back in test_stored_documents and test_mediated; this looks at the pages themselves."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from app.extensions import db
from app.models import SubjectAccessRequest
from tests.integration import test_stored_documents
from tests.integration.test_stored_documents import answer_everything, log_request, post

world = test_stored_documents.world  # its fixture: the host, a school, a requester, a child


@pytest.fixture(scope="module")
def pdftoppm():
    """poppler-utils' pdftoppm; CI (REQUIRE_BROWSER=1) fails instead of skipping."""
    found = shutil.which("pdftoppm")
    if not found:
        why = "pdftoppm is missing: apt-get install poppler-utils"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(why)
        pytest.skip(why)
    return found


def pages(pdftoppm: str, data: bytes, into: Path, name: str) -> list[Path]:
    """Each page of the PDF as a PNG at 60 dots an inch, in order."""
    assert data[:5] == b"%PDF-", data[:200]
    source = into / f"{name}.pdf"
    source.write_bytes(data)
    subprocess.run([pdftoppm, "-r", "60", "-png", str(source), str(into / name)],  # noqa: S603
                   check=True, capture_output=True)
    return sorted(into.glob(f"{name}-*.png"), key=lambda p: int(re.findall(r"\d+", p.stem)[-1]))


def page_count(path: Path) -> int:
    """The pages the PDF says it has (pdfinfo, beside pdftoppm in poppler-utils)."""
    info = subprocess.run([shutil.which("pdfinfo") or "pdfinfo", str(path)],  # noqa: S603
                          check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def inked(png: Path) -> float:
    """The fraction of the page that is not white."""
    grey = Image.open(png).convert("L")
    histogram = grey.histogram()
    return 1 - sum(histogram[245:]) / (grey.width * grey.height)


def test_the_subject_access_report_draws_as_pages(app, world, pdftoppm, tmp_path):
    manager = world["manager"][0]
    location = log_request(manager, world["child"])
    assert post(manager, location + "/prepare").status_code == 302
    with app.app_context():
        report = db.session.get(SubjectAccessRequest, 1).report_pdf
    drawn = pages(pdftoppm, report, tmp_path, "report")
    assert len(drawn) == page_count(tmp_path / "report.pdf") >= 2  # a covering letter, then the report
    width, height = Image.open(drawn[0]).size
    assert 0.65 < width / height < 0.75  # A4, upright
    assert 0.01 < inked(drawn[0]) < 0.5, "page 1 is blank or a block of ink"
    assert all(inked(page) > 0.002 for page in drawn), "a blank page"


def test_the_mediated_answer_letter_draws_as_one_page(app, world, pdftoppm, tmp_path):
    request_id = answer_everything(app, world)
    response = world["requester"][0].get(f"/requests/{request_id}/letter.pdf")
    assert response.status_code == 200
    drawn = pages(pdftoppm, response.data, tmp_path, "letter")
    assert len(drawn) == page_count(tmp_path / "letter.pdf") == 1
    width, height = Image.open(drawn[0]).size
    assert 0.65 < width / height < 0.75
    assert 0.01 < inked(drawn[0]) < 0.5, "page 1 is blank or a block of ink"
