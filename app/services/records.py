"""Finding a child's record: the record that holds its facts now, following merges."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.errors import NotAllowed, NotFound, Refused
from app.extensions import db
from app.models import Child, ChildStatus, User
from app.services import disclosure


def get(model, ident: int | None):
    """The row of model with this id, or NotFound."""
    found = db.session.get(model, ident) if ident else None
    if found is None:
        raise NotFound()
    return found


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


def held(reference: int | None) -> Child:
    """The record a reference names, for a request about a child (subject access, a
    correction): any record still held, in the directory or archived; the reference of a
    merged record leads to the record it was merged into."""
    child = surviving(db.session.get(Child, reference)) if reference else None
    if child is None or child.status == ChildStatus.merged:
        raise Refused("There is no record with that reference")
    return child


def about(user: User, child_id: int) -> disclosure.RowView:
    """The child a request is about, as a row this user may see (name, birth, town)."""
    return disclosure.project_row(user, db.session.get(Child, child_id))


_WHOLE = (selectinload(Child.identifiers), selectinload(Child.carers),
          selectinload(Child.involvements))


def open_record(user: User, child_id: int, whole: bool = False) -> Child:
    """A child's record in the directory, if this user may open it (NotFound, NotAllowed).
    `whole` loads its identifiers, carers and services with it, in the same read (a page
    about to show them then needs no second read after the grant is spent)."""
    child = db.session.get(Child, child_id, options=_WHOLE if whole else ()) if child_id else None
    if child is None:
        raise NotFound()
    if not disclosure.may_open(user, child):
        raise NotAllowed()
    return child
