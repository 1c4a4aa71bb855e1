"""database.insert_rows writes what SQLAlchemy's own executemany would: the same values of
every type (enums, dates, booleans, times), each column a row does not give filled with its
default, and a table whose default it cannot work out inserted the usual way."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from app.database import _inserts, insert_rows
from app.extensions import db
from app.models import ChildNameKey, Involvement, ServiceType
from tests.integration.children_helpers import make_child, person

# what the two ways may differ in: the id, the child, and the time a default stamps
UNCOMPARED = {"id", "child_id", "created_at"}


def _written(model, child_id: int, how) -> list[tuple]:
    """Insert the rows one way, then read back every column but the id."""
    table = model.__table__
    rows = ROWS[model](child_id)
    before = set(db.session.scalars(sa.select(table.c.id)))
    how(db.session.connection(), table, rows)
    found = db.session.execute(sa.select(table).where(table.c.id.not_in(before))
                               .order_by(table.c.id)).mappings().all()
    for row in found:
        if "created_at" in row:
            assert isinstance(row["created_at"], datetime)
    return [tuple(v for k, v in row.items() if k not in UNCOMPARED) for row in found]


ROWS = {
    Involvement: lambda child_id: [
        {"child_id": child_id, "organisation_id": 1, "service_type": kind,
         "service_name": f"Service {n}", "practitioner_name": None, "practitioner_role": None,
         "phone": "01632 960 777" if n else None, "email": None, "address": None,
         "start_date": date(2026, 1, n + 1), "consent_given_by": None,
         "consent_relationship": None, "consent_date": None}
        for n, kind in enumerate([ServiceType.education_setting, ServiceType.health_visitor])],
    ChildNameKey: lambda child_id: [
        {"child_id": child_id, "key": key, "current": n == 0, "given": "amelia",
         "date_of_birth": date(2016, 2, 14)} for n, key in enumerate(["quill", "zephyr"])],
}


def test_insert_rows_writes_what_the_core_insert_writes(app):
    user_id = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")[1]
    one, other = make_child(app, user_id), make_child(app, user_id)
    with app.app_context():
        for model in ROWS:
            core = _written(model, one, lambda conn, table, rows: conn.execute(
                table.insert(), rows))
            ours = _written(model, other, insert_rows)
            assert ours == core and len(ours) == 2, model
        db.session.rollback()


def test_a_default_it_cannot_work_out_is_left_to_sqlalchemy(app):
    """A column whose default is SQL (not a value or a Python function) is inserted the
    usual way, and still gets it."""
    table = sa.Table("scratch_defaults", sa.MetaData(),
                     sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("name", sa.Text),
                     sa.Column("stamped", sa.Text, default=sa.literal("by sql")))
    with app.app_context():
        table.create(db.session.connection())
        insert_rows(db.session.connection(), table, [{"name": "a"}, {"name": "b"}])
        assert db.session.execute(sa.select(table.c.name, table.c.stamped)
                                  .order_by(table.c.id)).all() == [("a", "by sql"),
                                                                   ("b", "by sql")]
        assert [v for k, v in _inserts.items() if k[2] is table] == [None]
        db.session.rollback()
