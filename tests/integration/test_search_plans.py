"""The given-name part of a search is answered by the (key, given, child_id) index on both
databases, whatever the collation (issue 16, finding 5: `given LIKE 'x%'` could not use
its index under PostgreSQL's C.UTF-8 collation and read every key of the family name;
SQLite's case-blind LIKE could not either)."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import User
from app.services import search
from tests.integration.children_helpers import person


def _many_smiths(app, count: int = 3000) -> None:
    """A family name shared by thousands (as 'smith' is at 1,000,000 children), with the
    planner's statistics, so that PostgreSQL chooses between its indexes for real."""
    import random
    import string
    from datetime import date, timedelta

    from app.models import Child, ChildNameKey

    rng = random.Random(1)
    with app.app_context():
        start = (db.session.scalar(sa.select(sa.func.max(Child.id))) or 0) + 1
        org = db.session.scalar(sa.select(User.organisation_id).limit(1))
        born = [date(2010, 1, 1) + timedelta(days=rng.randrange(4000)) for _ in range(count)]
        given = ["".join(rng.choice(string.ascii_lowercase) for _ in range(6))
                 for _ in range(count)]
        db.session.execute(sa.insert(Child), [{
            "id": start + n, "given_names": given[n], "family_name": "Smith", "gender": "male",
            "date_of_birth": born[n], "status": "active", "family_key": "smith",
            "given_key": given[n], "created_by_organisation_id": org, "shielded": False}
            for n in range(count)])
        db.session.execute(sa.insert(ChildNameKey), [{
            "child_id": start + n, "key": "smith", "current": True, "hidden": False,
            "date_of_birth": born[n], "given": given[n]} for n in range(count)])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE children"))
            db.session.execute(sa.text("ANALYZE child_name_keys"))
            db.session.commit()


def _plan(app, criteria) -> str:
    _, user_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    _many_smiths(app)
    with app.app_context():
        viewer = db.session.get(User, user_id)
        query, values = search._query(viewer, criteria, 21)
        query = query.params(values)
        sql = str(query.compile(dialect=db.engine.dialect,
                                compile_kwargs={"literal_binds": True}))
        if db.engine.dialect.name == "sqlite":
            rows = db.session.execute(sa.text("EXPLAIN QUERY PLAN " + sql)).all()
            return "\n".join(str(r[-1]) for r in rows)
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        rows = db.session.execute(sa.text("EXPLAIN " + sql)).all()
        return "\n".join(r[0] for r in rows)


def test_the_given_name_prefix_is_an_index_range(app):
    plan = _plan(app, search.Criteria(family_name="Smith", given_names="Am", district="BS1"))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert "ix_child_name_keys_key_given (key=? AND given>? AND given<?)" in plan, plan
        return
    lines = plan.splitlines()
    scan = next((i for i, line in enumerate(lines) if "ix_child_name_keys_key_given" in line),
                None)
    assert scan is not None and "given" in lines[scan + 1] and "Index Cond" in lines[scan + 1], \
        plan
