"""Finding a child's record: the record that holds its facts now, following merges."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Child, ChildStatus


def surviving(child: Child | None) -> Child | None:
    """The record a child's facts live in now: itself, or the record it was merged into
    (however many merges ago)."""
    seen = set()
    while child is not None and child.status == ChildStatus.merged and child.merged_into_id \
            and child.id not in seen:
        seen.add(child.id)
        child = db.session.get(Child, child.merged_into_id)
    return child


def merge_tree(root: int) -> list[int]:
    """The record and every record merged into it, however deep, parents first."""
    found, frontier = [root], [root]
    while frontier:
        frontier = list(db.session.scalars(
            sa.select(Child.id).where(Child.merged_into_id.in_(frontier))))
        found.extend(frontier)
    return found
