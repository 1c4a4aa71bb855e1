"""Import in the browser (issue 15): upload -> checking -> preview (a held row decided)
-> confirm -> adding -> done, with axe-core on every page, the progress page updated by
htmx polling while a real consumer works."""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.browser.conftest import check_accessible
from tests.browser.test_add_child import _sign_in
from tests.conftest import BASE_CONFIG, make_user
from tests.integration.children_helpers import details, make_child
from tests.jobs_helpers import running_consumer
from tests.rolls import roll

pytestmark = pytest.mark.browser


@pytest.fixture
def import_app(sqlite_template, tmp_path):
    path = tmp_path / "browser.sqlite"
    shutil.copy(sqlite_template, path)
    app = create_app({**BASE_CONFIG, "TESTING": False, "MAIL_URL": None,  # links on screen
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "JOBS_DATABASE": str(tmp_path / "jobs.sqlite")})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


def test_upload_preview_decide_confirm_progress_done(import_app, page, tmp_path):
    base = import_app.config["PUBLIC_BASE_URL"]
    _, email, secret = make_user(import_app, email="sam@hilltop.example", role="practitioner",
                                 organisation="Hilltop School")
    other, _, _ = make_user(import_app, email="ann@stannes.example", role="data_entry",
                            organisation="St Anne's")
    make_child(import_app, other, data={"details": details(given="Amelie", family="O'Neill"),
                                        "services": []})
    upload = tmp_path / "roll.csv"
    upload.write_bytes(roll(60) + b",O'Neill,Amelia,14/02/2016,F\r\n"  # row 62: held
                       b",Okafor,Dan,31/02/2015,M\r\n")  # row 63: an error
    _sign_in(page, base, email, secret)
    page.goto(base + "/imports/")
    check_accessible(page, "80-import-upload")
    page.click("button:has-text('Upload and check')")
    assert "Select the CSV file" in page.inner_text(".govuk-error-summary")
    check_accessible(page, "81-import-upload-error")
    page.set_input_files("#upload", str(upload))
    page.click("button:has-text('Upload and check')")
    page.wait_for_selector("h1:has-text('Checking your file')")
    check_accessible(page, "82-import-checking")
    with running_consumer(import_app):
        page.wait_for_selector("h1:has-text('Check the import, then confirm')", timeout=60000)
        check_accessible(page, "83-import-preview")
        assert "31/02" not in page.inner_text("main")
        assert "Date of birth must be a real date" in page.inner_text("main")
        page.check("input[name='row62-decision'][value='new']")
        page.click("#row-62 button:has-text('Save this decision')")
        assert "Row 62: your decision is saved." in page.inner_text("main")
        page.click("a:has-text('Abandon this import')")
        check_accessible(page, "84-import-abandon-ask")
        page.click("a:has-text('No, go back to the import')")
        page.click("button:has-text('Confirm and add the children')")
        page.wait_for_selector("h1:has-text('Import done')", timeout=90000)
    check_accessible(page, "85-import-done")
    assert "61 children added" in page.inner_text("main")
    page.goto(base + "/imports/")
    assert "Done" in page.inner_text("table")
    check_accessible(page, "86-import-list")
