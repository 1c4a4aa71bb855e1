"""The job queue (issue 15): real Huey consumers on SQLite and on Redis run our tasks inside
the app; the periodic tasks are the nightly retention and the hourly draft expiry; the
queue is in /healthz and `flask jobs status`."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.core.clock import now
from app.extensions import db
from app.jobs import tasks
from app.jobs.queue import huey_of
from app.models import ChildDraft
from tests.integration.children_helpers import events, person
from tests.jobs_helpers import QUEUES, queue_config, running_consumer, wait_for


def _abandoned_draft(app, user_id) -> None:
    with app.app_context():
        db.session.add(ChildDraft(user_id=user_id, data="{}",
                                  created_at=now() - timedelta(days=2), updated_at=now()))
        db.session.commit()


def _drafts(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(ChildDraft))


@pytest.mark.parametrize("queue", QUEUES)
def test_a_queued_task_runs_in_a_consumer_inside_the_app(make_app, queue):
    app = make_app(**queue_config(queue))
    _, user_id = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    _abandoned_draft(app, user_id)
    with app.app_context():
        tasks.expire_drafts.enqueue()
        assert huey_of(app).pending_count() == 1
    with running_consumer(app):
        wait_for(lambda: _drafts(app) == 0)
    assert len(events(app, "drafts.expired")) == 1
    with app.app_context():
        assert huey_of(app).pending_count() == 0


def test_the_periodic_tasks_are_the_nightly_retention_and_hourly_drafts(app):
    huey = huey_of(app)
    periodic = {t.__name__: t() for t in huey._registry._periodic_tasks}
    assert set(periodic) == {"nightly_retention", "expire_drafts"}
    night = datetime(2026, 11, 24, 2, 30)  # Huey asks in UTC
    assert periodic["nightly_retention"].validate_datetime(night)
    assert not periodic["nightly_retention"].validate_datetime(night + timedelta(hours=1))
    assert periodic["expire_drafts"].validate_datetime(night.replace(minute=15))


def test_queue_status_and_health(make_app, tmp_path):
    app = make_app()
    result = app.test_cli_runner().invoke(args=["jobs", "status"])
    assert result.exit_code == 0 and "0 job(s) waiting" in result.output
    assert app.test_client().get("/healthz").status_code == 200
    broken = make_app(JOBS_DATABASE=str(tmp_path / "missing" / "jobs.sqlite"))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and "queue" in response.get_data(as_text=True)
