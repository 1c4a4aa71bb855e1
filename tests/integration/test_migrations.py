"""The schema comes from migrations: they must match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_upgrading_keeps_children_and_fills_new_columns(tmp_path):
    """Data written under an older schema survives every later migration, quickly."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app
    from tests.conftest import BASE_CONFIG

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.sqlite"})
    with app.app_context():
        upgrade(revision="0002_children")
        db.session.execute(sa.text(
            "INSERT INTO organisations (id, name, name_key, kind, is_host, created_at) "
            "VALUES (1, 'Org', 'org', 'other', 1, '2026-01-01 00:00:00')"))
        db.session.execute(sa.text(
            "INSERT INTO children (id, given_names, family_name, gender, date_of_birth, "
            "status, family_key, given_key, created_by_organisation_id, created_at, updated_at) "
            "VALUES (1, 'Amelia', 'ONeill', 'female', '2016-02-14', 'active', 'oneill', "
            "'amelia', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
        db.session.execute(sa.text(
            "INSERT INTO child_name_keys (id, child_id, key) VALUES (1, 1, 'oneill')"))
        db.session.commit()
        upgrade()
        row = db.session.execute(sa.text(
            "SELECT k.current, k.date_of_birth, c.shielded FROM child_name_keys k "
            "JOIN children c ON c.id = k.child_id")).one()
        assert (bool(row[0]), str(row[1]), bool(row[2])) == (True, "2016-02-14", False)
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        db.session.remove()
        db.engine.dispose()
