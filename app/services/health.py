"""Is the service able to work: each configured dependency answers."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db


def failing() -> str | None:
    """The first dependency that does not answer ("database"), or None when all do."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return "database"
    finally:
        db.session.rollback()
    return None
