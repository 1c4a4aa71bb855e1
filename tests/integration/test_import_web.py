"""Importing through the portal (issue 15): upload, the check on the real queue (SQLite and
Redis), the preview re-projected at every delivery, a person's decisions on held rows,
confirm, progress, done; hostile and oversized uploads; the CLI and the preview agree; a
consumer killed half-way is taken up again without a duplicate."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AuditDetail,
    AuditEvent,
    Child,
    ChildStatus,
    ImportJob,
    ImportRow,
    ImportStatus,
    ImportUpload,
)
from tests.conftest import BASE_CONFIG, csrf_token
from tests.integration.children_helpers import count, details, make_child, person
from tests.jobs_helpers import QUEUES, queue_config, running_consumer, wait_for
from tests.rolls import roll

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]


def _upload(client, content: bytes, name: str = "roll.csv"):
    return client.post("/imports/", data={
        "csrf_token": csrf_token(client, "/imports/"),
        "upload": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def _job(app, job_id) -> ImportJob:
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        db.session.expunge(job)
        return job


def _upload_kept(app, job_id) -> bytes | None:
    with app.app_context():
        return db.session.scalar(sa.select(ImportUpload.content)
                                 .where(ImportUpload.job_id == job_id))


def _status(app, job_id) -> ImportStatus:
    return _job(app, job_id).status


def _upload_and_check(app, client, content, name="roll.csv") -> int:
    response = _upload(client, content, name)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    job_id = int(response.location.rsplit("/", 1)[1])
    wait_for(lambda: _status(app, job_id) != ImportStatus.checking)
    return job_id


def _post(client, url, data=None, page=None):
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, page or url)})


@pytest.mark.parametrize("queue", QUEUES)
def test_upload_check_confirm_and_done_on_the_queue(make_app, queue):
    app = make_app(**queue_config(queue))
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    with running_consumer(app):
        job_id = _upload_and_check(app, client, (FIXTURES / "csv" / "roll_utf8_bom.csv")
                                   .read_bytes())
        page = client.get(f"/imports/{job_id}").get_data(as_text=True)
        assert "Check the import, then confirm" in page
        assert "Date of birth must be a real date" in page and "Amelia Rose O&#39;Neill" in page
        assert count(app, Child) == 0  # nothing before a person confirms
        assert _upload_kept(app, job_id) is None  # the file went once its rows were checked
        _post(client, f"/imports/{job_id}/confirm", page=f"/imports/{job_id}")
        wait_for(lambda: _status(app, job_id) == ImportStatus.applied)
    assert count(app, Child) == 2
    done = client.get(f"/imports/{job_id}").get_data(as_text=True)
    assert "2 children added" in done and "Import done" in done
    assert "Amelia Rose O&#39;Neill" in done  # from the record now, not the file's copy
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(
            ImportRow.job_id == job_id, ImportRow.data.is_not(None))) == 0
    listing = client.get("/imports/").get_data(as_text=True)
    assert "roll_utf8_bom.csv" not in listing and "roll.csv" in listing and "Done" in listing
    errors = client.get(f"/imports/{job_id}/errors.csv").get_data(as_text=True)
    assert errors.splitlines() == ["Row,Column,What to put right",
                                   "4,Date of birth,Date of birth must be a real date"]


def test_a_jobs_progress_is_written_without_rewriting_its_file(app):
    """SQLite rewrites a whole row on every update: with the uploaded file in the job's row,
    each of the thousands of progress updates of a big import wrote the file again (10 MB a
    time; the check of 100,000 rows ran at 435 rows a second, not 2,600)."""
    from app.services.imports import jobs
    from app.services.transaction import atomic

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite's write-ahead log shows what an update wrote")
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    content = roll(20_000)
    assert len(content) > 1_000_000
    job_id = int(_upload(client, content).location.rsplit("/", 1)[1])
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()[0] == 0
        atomic(jobs._progress)(job_id, rows_checked=ImportJob.rows_checked + 1)
        written = Path(db.engine.url.database + "-wal").stat().st_size
    assert written < 100_000 and _upload_kept(app, job_id) == content


def test_the_progress_panel_polls_until_done_then_reloads(app):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    response = _upload(client, roll(5))
    job_id = int(response.location.rsplit("/", 1)[1])
    page = client.get(f"/imports/{job_id}").get_data(as_text=True)  # no consumer yet
    assert "Checking your file" in page and 'hx-trigger="every 2s"' in page
    assert "X-TeamAround-Background&#34;: &#34;1" in page or \
        '"X-TeamAround-Background": "1"' in page  # polling keeps no idle session alive
    assert "Reading the file" in page
    with running_consumer(app):
        wait_for(lambda: _status(app, job_id) == ImportStatus.previewed)
    fragment = client.get(f"/imports/{job_id}/progress", headers={"HX-Request": "true"})
    assert fragment.status_code == 204 and fragment.headers["HX-Refresh"] == "true"


def test_a_hostile_upload_fails_with_its_reason_and_writes_nothing(app):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
            b"<CTfile>&lol;</CTfile>")
    with running_consumer(app):
        job_id = _upload_and_check(app, client, bomb, "pupils.xml")
    assert _status(app, job_id) == ImportStatus.failed
    page = client.get(f"/imports/{job_id}").get_data(as_text=True)
    assert "The import stopped" in page and "DTD" in page
    assert count(app, Child) == 0 and _upload_kept(app, job_id) is None
    zipped = _upload(client, b"PK\x03\x04" + b"\x00" * 100, "roll.xml")
    assert zipped.status_code == 422 and "compressed file" in zipped.get_data(as_text=True)
    empty = client.post("/imports/", data={"csrf_token": csrf_token(client, "/imports/")})
    assert empty.status_code == 422 and "Select the CSV file" in empty.get_data(as_text=True)


def test_an_upload_over_the_limit_is_refused_before_it_is_read(make_app):
    app = make_app(IMPORT_MAX_BYTES=2048)
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    response = _upload(client, roll(100))
    assert response.status_code in (413, 422)
    assert "too big" in response.get_data(as_text=True) or "larger than" in \
        response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportJob)) == 0


def test_the_preview_and_the_command_line_agree(make_app, tmp_path):
    """The command line checks in its own process; the portal's job here puts the rows to
    the forms in a helper process, as it does a big file's."""
    app = make_app(IMPORT_HELPED_ROWS=1, IMPORT_CHECK_PROCESSES=1)
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    make_child(app, person(app, "data_entry", "Riverside Youth", "dee@riverside.example")[1],
               data={"details": details(given="Amelia", family="O'Neill"),
                     "identifiers": {"upn": "B801200005001"}})
    content = (FIXTURES / "csv" / "roll_cp1252.csv").read_bytes() + roll(20).split(b"\n", 1)[1]
    path = tmp_path / "agree.csv"
    path.write_bytes(content)
    cli = app.test_cli_runner().invoke(args=[
        "children", "import", str(path), "--organisation", "Hilltop School", "--actor",
        "sam@hilltop.example", "--dry-run"])
    with running_consumer(app):
        job_id = _upload_and_check(app, client, content)
    page = client.get(f"/imports/{job_id}").get_data(as_text=True)
    expected = re.search(r"(\d+) rows: (\d+) new, (\d+) matched, (\d+) already recorded, "
                         r"(\d+) held for you to decide, (\d+) held for the management team, "
                         r"(\d+) with errors", cli.output).groups()
    with app.app_context():
        from app.services.imports import review
        counts = review.counts(job_id)
    assert expected == tuple(str(n) for n in (
        sum(counts.values()), counts["new"], counts["matched"], counts["unchanged"],
        counts["held"], counts["held_management"], counts["error"]))
    assert expected[5] == "1" and "Held for the management team" in page


def _twin(app, people_id, given="Amelie"):
    return make_child(app, people_id, data={
        "details": details(given=given, family="O'Neill", dob="2016-02-14"),
        "services": [{"service_type": "education_setting", "service_name": "St Anne's"}]})


def test_a_similar_name_on_the_same_birthday_is_held_for_a_person_not_matched(app):
    """Twins Amelia and Amelie O'Neill: the old import matched the row to the twin's
    record (same family name and birthday, similar given name); now a person decides."""
    client, user_id = person(app, "practitioner", "Hilltop School", "sam@hilltop.example")
    other = person(app, "data_entry", "St Anne's", "ann@stannes.example")[1]
    twin = _twin(app, other)
    csv_file = (b"Surname,Forename,Date of birth,Sex\r\nO'Neill,Amelia,14/02/2016,F\r\n"
                b"O'Neill,Amelie,14/02/2016,F\r\n")
    with running_consumer(app):
        job_id = _upload_and_check(app, client, csv_file)
        with app.app_context():
            from app.services.imports import review
            counts = review.counts(job_id)
        assert counts["held"] == 1 and counts["matched"] == 1  # Amelie is exact: matched
        before = count(app, AuditEvent, AuditEvent.action == "child.match_shown")
        page = client.get(f"/imports/{job_id}").get_data(as_text=True)
        assert "Row 2: Amelia O&#39;Neill" in page and "similar given name" in page
        assert count(app, AuditEvent, AuditEvent.action == "child.match_shown") == before + 1
        refused = _post(client, f"/imports/{job_id}/rows/2", {"row2-decision": "99999"},
                        page=f"/imports/{job_id}")
        assert refused.status_code == 302 and count(app, Child) == 1
        _post(client, f"/imports/{job_id}/rows/2", {"row2-decision": "new"},
              page=f"/imports/{job_id}")
        _post(client, f"/imports/{job_id}/confirm", page=f"/imports/{job_id}")
        wait_for(lambda: _status(app, job_id) == ImportStatus.applied)
    with app.app_context():
        amelia = db.session.scalar(sa.select(Child).where(Child.given_names == "Amelia"))
        body = db.session.scalar(sa.select(AuditDetail.body).join(
            AuditEvent, AuditEvent.seq == AuditDetail.event_seq).where(
            AuditEvent.action == "child.created", AuditEvent.child_id == amelia.id))
        assert json.loads(body)["not_same_as"] == [twin]
        twin_record = db.session.get(Child, twin)
        assert {i.organisation.name for i in twin_record.involvements} == {
            "St Anne's", "Hilltop School"}


def test_a_matched_record_closed_since_the_preview_is_not_shown_or_linked(app):
    """Rule 3: the preview is stored; what it shows is decided again when it is shown."""
    client, _ = person(app, "practitioner", "Hilltop School", "sam@hilltop.example")
    other = person(app, "data_entry", "St Anne's", "ann@stannes.example")[1]
    twin = _twin(app, other, given="Amelia")
    csv_file = b"Surname,Forename,Date of birth,Sex\r\nO'Neill,Amelia,14/02/2016,F\r\n"
    with running_consumer(app):
        job_id = _upload_and_check(app, client, csv_file)
    page = client.get(f"/imports/{job_id}?show=matched").get_data(as_text=True)
    assert f"/children/{twin}/" in page
    with app.app_context():
        db.session.get(Child, twin).status = ChildStatus.archived
        db.session.commit()
    page = client.get(f"/imports/{job_id}?show=matched").get_data(as_text=True)
    assert f"/children/{twin}/" not in page and "Held for the management team" in page


def test_a_record_made_while_a_batch_is_read_is_matched_not_added_twice(app, monkeypatch):
    """The apply reads and matches each batch before it takes the write lock; a record made
    in between (someone typing the same pupil in at that moment) is met under the lock, and
    the row is matched to it rather than added a second time."""
    from app.services.imports import jobs

    client, _ = person(app, "practitioner", "Hilltop School", "sam@hilltop.example")
    other = person(app, "data_entry", "St Anne's", "ann@stannes.example")[1]
    real, typed = jobs._plan, []

    def read_then_someone_types_her_in(*args):
        planned = real(*args)
        if not typed:
            typed.append(_twin(app, other, given="Amelia"))
        return planned

    monkeypatch.setattr(jobs, "_plan", read_then_someone_types_her_in)
    csv_file = b"Surname,Forename,Date of birth,Sex\r\nO'Neill,Amelia,14/02/2016,F\r\n"
    with running_consumer(app):
        job_id = _upload_and_check(app, client, csv_file)
        _post(client, f"/imports/{job_id}/confirm", page=f"/imports/{job_id}")
        wait_for(lambda: _status(app, job_id) == ImportStatus.applied)
    assert count(app, Child) == 1
    with app.app_context():
        row = db.session.scalar(sa.select(ImportRow).where(ImportRow.job_id == job_id))
        assert (row.outcome.value, row.child_id) == ("matched", typed[0])


def test_a_unit_that_gave_way_matches_again_when_it_runs_again(app, monkeypatch):
    """A unit of the apply that stops for a person (transaction.giving_way) runs again. Its
    first try had already met the record made since its batch was read (and moved the
    index on); the second must meet it too, not add the pupil a second time."""
    from app.database import GaveWay
    from app.services.imports import jobs

    client, _ = person(app, "practitioner", "Hilltop School", "sam@hilltop.example")
    other = person(app, "data_entry", "St Anne's", "ann@stannes.example")[1]
    real_plan, real_known, typed, stopped = jobs._plan, jobs.imports.known_only, [], []

    def read_then_someone_types_her_in(*args):
        planned = real_plan(*args)
        if not typed:
            typed.append(_twin(app, other, given="Amelia"))
        return planned

    def a_person_waits_the_first_time(found):
        if not stopped:
            stopped.append(found)
            raise GaveWay()
        return real_known(found)

    monkeypatch.setattr(jobs, "_plan", read_then_someone_types_her_in)
    csv_file = b"Surname,Forename,Date of birth,Sex\r\nO'Neill,Amelia,14/02/2016,F\r\n"
    with running_consumer(app):
        job_id = _upload_and_check(app, client, csv_file)
        monkeypatch.setattr(jobs.imports, "known_only", a_person_waits_the_first_time)
        _post(client, f"/imports/{job_id}/confirm", page=f"/imports/{job_id}")
        wait_for(lambda: _status(app, job_id) == ImportStatus.applied)
    assert len(stopped) == 1 and stopped[0]  # the first try had found her
    assert count(app, Child) == 1
    with app.app_context():
        row = db.session.scalar(sa.select(ImportRow).where(ImportRow.job_id == job_id))
        assert (row.outcome.value, row.child_id) == ("matched", typed[0])


def _planned_by_a_helper(make_app, csv_file: bytes):
    """An app whose imports are planned by a helper process however small, a person of
    another setting, and a checked and confirmed import waiting to be applied (no
    consumer runs, so the test applies it itself)."""
    app = make_app(IMPORT_HELPED_ROWS=1, IMPORT_PLAN_AHEAD=1)
    client, _ = person(app, "practitioner", "Hilltop School", "sam@hilltop.example")
    other = person(app, "data_entry", "St Anne's", "ann@stannes.example")[1]
    with running_consumer(app):
        job_id = _upload_and_check(app, client, csv_file)
    _post(client, f"/imports/{job_id}/confirm", page=f"/imports/{job_id}")
    assert _status(app, job_id) == ImportStatus.applying
    return app, other, job_id


def _todo(job_id) -> list[int]:
    return list(db.session.scalars(sa.select(ImportRow.id).where(
        ImportRow.job_id == job_id, ImportRow.outcome != "error").order_by(ImportRow.row_number)))


def _helpers() -> set[int]:
    import multiprocessing

    return {p.pid for p in multiprocessing.active_children()}


def test_a_helper_plans_batches_exactly_as_the_consumer_does(make_app):
    from app.services.imports import jobs

    csv_file = roll(45) + b",O'Neill,Amelia,14/02/2016,F,,,,,,,\r\n"
    app, other, job_id = _planned_by_a_helper(make_app, csv_file)
    _twin(app, other, given="Amelia")
    with app.app_context():
        user = db.session.get(ImportJob, job_id).user
        before = _helpers()
        helped = list(jobs._plans(user, job_id, _todo(job_id)))
        assert len(_helpers() - before) == 1  # they were read and matched elsewhere
        app.config["IMPORT_PLAN_AHEAD"] = 0
        here = list(jobs._plans(user, job_id, _todo(job_id)))
    assert len(helped) == 3 and helped == here
    assert [found for found in helped[-1].found.values() if found]  # Amelia's twin


def test_a_record_made_after_a_helper_planned_its_batch_is_matched_not_added_twice(make_app):
    """The helper reads and matches batches ahead of the consumer's writes; a record made
    after it did (someone typing the same pupil in at that moment) is met under the lock,
    and the row is matched to it rather than added a second time."""
    from app.services.imports import jobs

    csv_file = b"Surname,Forename,Date of birth,Sex\r\nO'Neill,Amelia,14/02/2016,F\r\n"
    app, other, job_id = _planned_by_a_helper(make_app, csv_file)
    with app.app_context():
        user = db.session.get(ImportJob, job_id).user
        newcomers = jobs._Newcomers()
        db.session.rollback()
        plans = jobs._plans(user, job_id, _todo(job_id))
        plan = next(plans)
        plans.close()
        assert list(plan.ready) == _todo(job_id)  # read as a new pupil
        typed = _twin(app, other, given="Amelia")
        jobs._apply_batch(user, job_id, plan, newcomers)
    assert count(app, Child) == 1
    with app.app_context():
        row = db.session.scalar(sa.select(ImportRow).where(ImportRow.job_id == job_id))
        assert (row.outcome.value, row.child_id) == ("matched", typed)


def test_abandoning_asks_first_then_deletes_the_rows(app):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    with running_consumer(app):
        job_id = _upload_and_check(app, client, roll(3))
    ask = client.get(f"/imports/{job_id}/abandon").get_data(as_text=True)
    assert "Abandon this import?" in ask and "Yes, abandon the import" in ask
    _post(client, f"/imports/{job_id}/abandon")
    assert _status(app, job_id) == ImportStatus.abandoned
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportRow)) == 0
    assert count(app, Child) == 0


def test_someone_elses_import_is_not_found(app):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    other, _ = person(app, "data_entry", "Hilltop School", "kim@hilltop.example")
    outsider, _ = person(app, "data_entry", "Riverside Youth", "dee@riverside.example")
    response = _upload(client, roll(2))
    job_id = int(response.location.rsplit("/", 1)[1])
    assert other.get(f"/imports/{job_id}").status_code == 404
    assert outsider.get(f"/imports/{job_id}/errors.csv").status_code == 404
    requester, _ = person(app, "requester", "Riverside Youth", "rae@riverside.example")
    assert requester.get("/imports/").status_code == 403


def _consumer_process(database_url: str, jobs_path: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "JOBS_DATABASE": str(jobs_path),
           "IMPORT_LEASE_SECONDS": "1", "FLASK_APP": "wsgi",
           **{k: BASE_CONFIG[k] for k in ("SECRET_KEY", "AUDIT_HMAC_KEY", "AUDIT_SIGNING_KEY",
                                          "TOTP_ENCRYPTION_KEY")}}
    return subprocess.Popen([sys.executable, "-m", "flask", "jobs", "run", "--workers", "1"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def test_a_consumer_killed_half_way_is_taken_up_again_without_duplicates(make_app,
                                                                          database_url,
                                                                          tmp_path):
    app = make_app(IMPORT_LEASE_SECONDS=1)
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    rows = 800
    response = _upload(client, roll(rows))
    job_id = int(response.location.rsplit("/", 1)[1])
    worker = _consumer_process(database_url, tmp_path / "jobs.sqlite")
    try:
        wait_for(lambda: _status(app, job_id) == ImportStatus.previewed, 60)
        _post(client, f"/imports/{job_id}/confirm", page=f"/imports/{job_id}")
        wait_for(lambda: _job(app, job_id).rows_applied >= 100, 60)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        worker.kill()
    partial = count(app, Child)
    assert 100 <= partial < rows and _status(app, job_id) == ImportStatus.applying
    time.sleep(1.2)  # the dead worker's lease runs out
    with running_consumer(app):  # its startup sweep finds the stalled job
        wait_for(lambda: _status(app, job_id) == ImportStatus.applied, 90)
    with app.app_context():
        assert count(app, Child) == rows
        assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Child.family_name)))) \
            == rows
        assert db.session.scalar(sa.select(sa.func.count()).where(
            ImportRow.job_id == job_id, ImportRow.applied.is_(False))) == 0


def test_twins_in_the_same_file_are_both_added(app):
    """Amelia and Amelie are both new in the preview; when Amelia's record is made first,
    Amelie must not then be held as a possible duplicate of her twin."""
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    csv_file = (b"Surname,Forename,Date of birth,Sex\r\nO'Neill,Amelia,14/02/2016,F\r\n"
                b"O'Neill,Amelie,14/02/2016,F\r\n")
    with running_consumer(app):
        job_id = _upload_and_check(app, client, csv_file)
        _post(client, f"/imports/{job_id}/confirm", page=f"/imports/{job_id}")
        wait_for(lambda: _status(app, job_id) == ImportStatus.applied)
    assert count(app, Child) == 2


def test_a_page_number_past_any_integer_is_not_an_error(app):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    with running_consumer(app):
        job_id = _upload_and_check(app, client, roll(3))
    page = client.get(f"/imports/{job_id}?page={10**30}&show=nonsense")
    assert page.status_code == 200 and "No rows here." in page.get_data(as_text=True)


def test_an_import_left_unconfirmed_is_abandoned_with_its_rows(make_app):
    app = make_app(IMPORT_KEEP_HOURS=1)
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    with running_consumer(app):
        old = _upload_and_check(app, client, roll(3))
        fresh = _upload_and_check(app, client, roll(2, start=50))
    with app.app_context():
        from datetime import timedelta

        from app.core.clock import now
        from app.jobs import tasks
        db.session.get(ImportJob, old).updated_at = now() - timedelta(hours=2)
        db.session.commit()
        tasks.expire_imports()
        assert db.session.scalar(sa.select(sa.func.count()).where(
            ImportRow.job_id == old)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).where(
            ImportRow.job_id == fresh)) == 2
    assert _status(app, old) == ImportStatus.abandoned
    assert _status(app, fresh) == ImportStatus.previewed
    assert count(app, AuditEvent, AuditEvent.action == "import.expired") == 1


def test_a_common_transfer_file_through_the_portal(app):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    with running_consumer(app):
        job_id = _upload_and_check(app, client, (FIXTURES / "ctf" / "ctf_v26_full.xml")
                                   .read_bytes(), "CTF_export.xml")
    job = _job(app, job_id)
    assert job.kind == "ctf" and job.total_rows == 3 and job.status == ImportStatus.previewed
    page = client.get(f"/imports/{job_id}").get_data(as_text=True)
    assert "3 rows in the file" in page


def test_a_row_held_for_the_management_team_cannot_be_decided_by_the_importer(app):
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    other = person(app, "data_entry", "Riverside Youth", "dee@riverside.example")[1]
    make_child(app, other, data={"details": details(given="Amelia", family="O'Neill"),
                                 "identifiers": {"upn": "B801200005001"}})
    with running_consumer(app):
        job_id = _upload_and_check(app, client, (FIXTURES / "csv" / "roll_cp1252.csv")
                                   .read_bytes())
    with app.app_context():
        number = db.session.scalar(sa.select(ImportRow.row_number).where(
            ImportRow.job_id == job_id, ImportRow.outcome == "held_management"))
    response = _post(client, f"/imports/{job_id}/rows/{number}", {f"row{number}-decision": "new"},
                     page=f"/imports/{job_id}")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(ImportRow.outcome).where(
            ImportRow.job_id == job_id, ImportRow.row_number == number)) == "held_management"


def test_abandoning_while_the_file_is_checked_stops_the_check(app):
    """Abandoned between two batches of the check: the worker stops, and neither stores
    more rows nor turns the import back into one waiting to be confirmed."""
    client, _ = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    response = _upload(client, roll(1600))
    job_id = int(response.location.rsplit("/", 1)[1])
    with running_consumer(app):
        wait_for(lambda: _job(app, job_id).rows_checked > 0)
        _post(client, f"/imports/{job_id}/abandon")
        time.sleep(2)  # longer than the rest of the check would take
    assert _status(app, job_id) == ImportStatus.abandoned
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportRow)) == 0
