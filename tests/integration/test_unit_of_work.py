"""The unit of work (services/transaction.py) as a script or command meets it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.errors import Refused
from app.extensions import db
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
