"""`demo seed`: synthetic children whose identifiers all pass our own checks."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Child, Identifier, Organisation
from app.services.identifiers import normalise


def test_demo_seed_makes_valid_children(app, runner):
    result = runner.invoke(args=["demo", "seed", "--children", "300", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "300 children" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Child)) == 300
        for identifier in db.session.scalars(sa.select(Identifier)):
            assert normalise(identifier.scheme, identifier.value) == identifier.value
        assert db.session.scalar(sa.select(Organisation).where(Organisation.is_host)).name \
            == "Demo County Council"
    again = runner.invoke(args=["demo", "seed", "--children", "10"])
    assert again.exit_code == 0  # ids continue after the first batch
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
