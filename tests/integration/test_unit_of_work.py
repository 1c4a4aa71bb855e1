"""The unit of work (services/transaction.py) as a script or command meets it."""

from __future__ import annotations

import fcntl
import gc
import os
import sys
import threading
import time

import pytest
import sqlalchemy as sa

from app import database
from app.core.errors import Refused
from app.extensions import db
from app.jobs import queue
from app.jobs.queue import settle_process
from app.models import AuditEvent, Organisation, Role
from app.services import accounts, transaction
from app.services.transaction import atomic


def test_what_a_script_wrote_before_calling_a_service_is_kept(app):
    """A script that adds an organisation and then calls a service: the service's unit of
    work joins the script's transaction instead of silently rolling the organisation back
    (it did on SQLite: the user then pointed at an organisation that was never saved)."""
    with app.app_context():
        organisation = accounts.find_or_create_organisation("Riverside Youth")
        user = accounts.create_user(email="r@riverside.example", name="R", role=Role.admin,
                                    organisation=organisation, password="kettle meadow lantern",
                                    totp_secret="JBSWY3DPEHPK3PXP")

        @atomic
        def note(by):
            from app.services import audit
            audit.record("demo.noted")

        note(user)
        user_id = user.id
        db.session.remove()
        assert db.session.scalar(sa.select(Organisation.name)) == "Riverside Youth"
        assert db.session.scalar(sa.select(AuditEvent.actor_user_id).where(
            AuditEvent.action == "demo.noted")) == user_id


def test_a_refused_service_changes_nothing_and_records_nothing(app):
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))

        @atomic
        def refuse():
            from app.services import audit
            audit.record("demo.noted")
            db.session.add(Organisation(name="Never saved"))
            raise Refused("No")

        with pytest.raises(Refused):
            refuse()
        db.session.remove()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before
        assert db.session.scalar(sa.select(Organisation).where(
            Organisation.name == "Never saved")) is None


def test_a_long_job_is_cut_into_batches_that_cover_everything_once(app):
    with app.app_context():
        items = list(range(5))
        assert [list(b) for b in transaction.in_batches(items, 2)] == [[0, 1], [2, 3], [4]]
        assert list(transaction.in_batches([], 2)) == []


def test_a_long_jobs_units_are_sized_to_leave_the_write_lock_to_people(app):
    """On SQLite a long job's units grow while they are quick and shrink when slow, so a
    person saving meanwhile waits for one short unit; between units the job pauses only a
    moment (it paused at least 120 ms, so an import could add 300 rows a second at most)."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL takes row locks: a unit is as big as asked")
        items = list(range(2000))
        quick = [len(b) for b in transaction.in_batches(items, 200)]
        assert quick[:5] == [10, 20, 40, 80, 160] and max(quick) == 200
        assert sum(quick) == len(items)
        slow = []
        for batch in transaction.in_batches(items[:100], 200):
            slow.append(len(batch))
            time.sleep(transaction.UNIT_SECONDS * 5)  # each unit takes five times too long
        assert slow == [transaction.LEAST] * 10


def test_a_long_jobs_units_are_sized_by_their_time_in_the_write_lock(app):
    """What a job does for a slice before its unit (reading and matching an import's rows)
    does not hold the lock, so it does not shrink the units: they were sized by the whole
    slice's time, and an import's stayed at 10 rows while people waited no less."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL takes row locks: a unit is as big as asked")
        sizes = []
        for batch in transaction.in_batches(list(range(400)), 200):
            sizes.append(len(batch))
            time.sleep(transaction.UNIT_SECONDS * 3)  # reading, outside the lock
            transaction.atomic(lambda: None)()  # then a quick unit of work
        assert sizes[:5] == [10, 20, 40, 80, 160]


def test_a_commit_after_a_second_of_an_import_does_not_copy_the_log_back(app):
    """An import's apply writes about 10,000 pages a second to the write-ahead log. With
    the backstop at 10,000 pages, the commit that crossed it (an import's unit holding the
    write lock, or a person's reason) copied them into the file and waited for the disk:
    that is the consumer's checkpoint's work, beside the writers."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's write-ahead log")
        path = db.engine.url.database
        database.checkpoint(db.engine)
        with db.engine.begin() as writer:
            writer.exec_driver_sql("CREATE TABLE scratch (x BLOB)")
        database.checkpoint(db.engine)
        before = os.path.getsize(path)
        with db.engine.begin() as writer:  # 12,000 pages, each row filling one
            writer.exec_driver_sql("INSERT INTO scratch SELECT zeroblob(3500) FROM "
                                   "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT "
                                   "i + 1 FROM n WHERE i < 12000) SELECT i FROM n)")
        assert os.path.getsize(path) == before  # still all in the log
        logged, copied = database.checkpoint(db.engine)
        assert logged >= 12_000 and copied == logged
        assert os.path.getsize(path) > before + 12_000 * 3500


def test_the_consumer_s_threads_take_turns_quickly(app):
    """A unit of work in the consumer takes the interpreter lock back after each SQLite
    call; at the default 5 ms switch interval it waited behind another thread's Python
    work each time, with the write lock held."""
    default = sys.getswitchinterval()
    try:
        settle_process()
        assert sys.getswitchinterval() <= 0.001
        assert gc.get_freeze_count() > 0
    finally:
        sys.setswitchinterval(default)
        gc.unfreeze()
        database._turns.background = False


def test_the_write_ahead_log_is_copied_back_beside_the_writers(app):
    """A request's commit does not copy an import's pages into the database file (SQLite
    did that in whichever commit found 1,000 pages waiting, so a person's save paid for
    the import's); the consumer's companion does it five times a second."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's write-ahead log")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == \
                database.WAL_PAGES >= 10_000
            with db.engine.begin() as writer:  # the connection still open keeps the log
                writer.exec_driver_sql("CREATE TABLE scratch (x TEXT)")
                writer.exec_driver_sql("INSERT INTO scratch VALUES (?)",
                                       [(f"row {n}",) for n in range(200)])
            logged, copied = database.checkpoint(db.engine)
            assert logged > 0 and copied == logged
    stop = threading.Event()
    threads = queue.start_companions(app, stop)
    stop.set()
    assert "companion-checkpoint" in {t.name for t in threads}
    for thread in threads:
        thread.join(5)


def test_background_work_gives_way_to_a_person_s_next_write(tmp_path, monkeypatch):
    """A person's page writes twice a few milliseconds apart (the reason, then the page's
    audit event); an import took the write lock back between the two, so the second
    waited for a whole unit of the import's. The consumer now waits a moment after a
    person's unit; people never wait for that."""
    slept = []
    monkeypatch.setattr(database.time, "sleep", slept.append)
    path = str(tmp_path / "directory.sqlite")
    person, importer = database._WriterTurns(), database._WriterTurns()
    importer.background = True
    with importer.taken(path):
        pass
    assert slept == []  # nobody has written yet
    with person.taken(path):
        pass
    with person.taken(path):
        pass
    assert slept == []  # a person never gives way
    with importer.taken(path):
        pass
    assert len(slept) == 1 and 0 < slept[0] <= database.GRACE_SECONDS
    real = time.monotonic_ns
    monkeypatch.setattr(database.time, "monotonic_ns", lambda: real() + 10**9)  # later
    with importer.taken(path):
        pass
    assert len(slept) == 1


def _marks_app(tmp_path, name: str, column: str):
    """An app on a SQLite file of its own holding a table of marks, and the file's path."""
    from app import create_app

    path = tmp_path / f"{name}.sqlite"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "JOBS_DATABASE": str(tmp_path / "jobs.sqlite")})
    with app.app_context():
        db.session.execute(sa.text(f"CREATE TABLE marks ({column})"))
        db.session.commit()
    return app, str(path)


def test_a_unit_of_work_ends_the_request_s_read_before_it_waits_for_the_lock(tmp_path):
    """Found under load (issue 16): a unit of work ended the request's read transaction
    only once it held the write lock, so its commit was time under the lock, and the read
    kept the write-ahead log from starting again all the while it waited. It now ends the
    read first, then waits."""
    app, _ = _marks_app(tmp_path, "read-first", "n INTEGER")
    with app.app_context():
        engine = db.engine
    read, reader = threading.Event(), {}

    @atomic
    def mark():
        db.session.execute(sa.text("INSERT INTO marks VALUES (1)"))

    def person():
        with app.app_context():
            db.session.execute(sa.text("SELECT count(*) FROM marks")).scalar()  # the read
            reader["connection"] = db.session.connection().connection.dbapi_connection
            read.set()
            mark()

    with database.writer_turn(engine):  # someone else's unit holds the lock
        worker = threading.Thread(target=person)
        worker.start()
        assert read.wait(5)
        waited = time.monotonic()
        while reader["connection"].in_transaction and time.monotonic() - waited < 5:
            time.sleep(0.01)
        read_ended_while_waiting = not reader["connection"].in_transaction
    worker.join(10)
    assert read_ended_while_waiting
    with app.app_context():
        assert db.session.execute(sa.text("SELECT count(*) FROM marks")).scalar() == 1


@pytest.fixture()
def background_marks(tmp_path, monkeypatch):
    """An app on a SQLite file with a table of marks, in a process that does background
    work (as the job queue's consumer is)."""
    app, path = _marks_app(tmp_path, "give-way", "who TEXT")
    registered = sa.event.contains(sa.engine.Engine, "before_cursor_execute",
                                   database._make_way)
    monkeypatch.setattr(database._turns, "background", True)
    database.in_background()
    yield app, path
    if not registered:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", database._make_way)


def _marks(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.text("SELECT who FROM marks ORDER BY rowid")))


def _marking_unit(tries: list, pause: float = 0.0):
    """A unit of work writing two marks, `pause` seconds apart under the lock, that counts
    its tries."""
    @atomic
    def unit():
        tries.append(1)
        db.session.execute(sa.text("INSERT INTO marks VALUES ('import')"))
        time.sleep(pause)
        db.session.execute(sa.text("INSERT INTO marks VALUES ('import')"))
    return unit


def _waiting_room(path: str) -> int:
    """The waiting room's file, opened as another process would (a person's flock on it
    says they wait)."""
    return os.open(f"{path}-waiting", os.O_RDWR | os.O_CREAT, 0o600)


def test_a_background_unit_gives_way_to_a_person_who_starts_waiting(background_marks):
    """An import's unit holds SQLite's write lock about 10 ms, longer on a slow machine; a
    person who came to write meanwhile waited for all of it (page p95 4x idle during an
    import). A background unit run by giving_way now stops at its next statement, is
    undone and runs again after the person: they wait for one statement."""
    app, path = background_marks
    tries, person_waited = [], []

    @atomic
    def long_unit():
        tries.append(time.monotonic())
        for _ in range(20):  # 20 statements, 25 ms apart: half a second under the lock
            db.session.execute(sa.text("INSERT INTO marks VALUES ('import')"))
            time.sleep(0.025)

    def person():
        began = time.monotonic()
        with database._WriterTurns().taken(path):  # another process's turn, not background
            person_waited.append(time.monotonic() - began)
            with app.app_context():
                db.session.execute(sa.text("INSERT INTO marks VALUES ('person')"))
                db.session.commit()

    someone = threading.Timer(0.1, person)
    someone.start()
    with app.app_context():
        transaction.giving_way(long_unit)
    someone.join(5)
    assert len(tries) == 2  # undone once, then run to its end
    assert person_waited[0] < 0.1  # one statement (25 ms), not the rest of the unit (400)
    assert _marks(app) == ["person"] + ["import"] * 20  # the first try left nothing


def test_a_background_unit_gives_way_twice_then_finishes(background_marks):
    """However busy people are, a unit's third try runs to its end."""
    app, path = background_marks
    tries = []
    waiting = _waiting_room(path)
    fcntl.flock(waiting, fcntl.LOCK_SH)  # someone is always waiting
    try:
        with app.app_context():
            transaction.giving_way(_marking_unit(tries))
    finally:
        os.close(waiting)
    assert len(tries) == transaction.GIVE_WAY_TRIES == 3
    assert _marks(app) == ["import", "import"]


def test_a_unit_that_gave_way_is_not_counted_in_the_next_unit_s_size(background_marks):
    """A long job sizes its next unit by how long the last held the lock; a try undone for
    a person counted too, so each person's write made the import's units smaller (and it
    slower: 1,680 -> 1,355 rows/s applied)."""
    app, path = background_marks
    tries = []
    unit = _marking_unit(tries, pause=0.05)  # a slow statement's worth under the lock
    waiting = _waiting_room(path)
    arrives = threading.Timer(0.02, lambda: fcntl.flock(waiting, fcntl.LOCK_SH))
    leaves = threading.Timer(0.06, lambda: fcntl.flock(waiting, fcntl.LOCK_UN))
    with app.app_context():
        before = transaction.held_seconds()
        arrives.start()
        leaves.start()
        transaction.giving_way(unit)
    leaves.join()
    os.close(waiting)
    assert len(tries) == 2
    assert 0.05 <= transaction.held_seconds() - before < 0.09  # the second try's alone
