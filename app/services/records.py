"""Finding a child's record: the record that holds its facts now, following merges."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from app.core.errors import NotAllowed, NotFound, Refused
from app.extensions import db
from app.models import Carer, Child, ChildStatus, Identifier, Involvement, User
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


# The record page's reads, built once: a statement made afresh for every request costs more
# in SQLAlchemy (building it, its cache key) than SQLite takes to run it, and selectinload's
# machinery cost more than the three reads (a whole record: 1.2 ms that way, 0.44 ms so).
_ID = sa.bindparam("child_id")
# session.get() builds its statement afresh for every call: twice the cost of this one
_CHILD = sa.select(Child).where(Child.id == _ID)
_COLLECTIONS = (("identifiers", sa.select(Identifier).where(Identifier.child_id == _ID)
                 .order_by(Identifier.scheme)),
                ("carers", sa.select(Carer).where(Carer.child_id == _ID).order_by(Carer.id)),
                ("involvements", sa.select(Involvement).where(Involvement.child_id == _ID)
                 .order_by(Involvement.id)))


def open_record(user: User, child_id: int, whole: bool = False) -> Child:
    """A child's record in the directory, if this user may open it (NotFound, NotAllowed).
    `whole` loads its identifiers, carers and services with it, in the same read (a page
    about to show them then needs no second read after the grant is spent)."""
    child = db.session.scalars(_CHILD, {"child_id": child_id}).first() if child_id else None
    if child is None:
        raise NotFound()
    if not disclosure.may_open(user, child):
        raise NotAllowed()
    if whole:
        for name, statement in _COLLECTIONS:
            if name not in child.__dict__:  # not loaded yet in this request
                set_committed_value(child, name, list(db.session.scalars(
                    statement, {"child_id": child.id})))
    return child
