"""Merging duplicate records (the management team): identifiers, carers and involvements
move to the record kept; every shield goes with them; both histories show it."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.errors import NotAllowed, Refused
from app.extensions import db
from app.models import Child, ChildStatus, Identifier, Shield, User
from app.services import audit, disclosure, stored_documents
from app.services.children import hide_previous_names
from app.services.transaction import atomic


def find_duplicate(user: User, keep: Child, other_id: int | None) -> Child:
    """The record to merge into keep: another active record (management team only)."""
    if not user.is_management:
        raise NotAllowed()
    other = db.session.get(Child, other_id) if other_id else None
    if other is None or other.id == keep.id or other.status != ChildStatus.active:
        raise Refused("There is no other active record with that reference")
    return other


@atomic
def preview_merge(user: User, keep: Child, other_id: int | None,
                  reason_category: str) -> disclosure.RowView:
    """The record that would be merged, shown for confirmation (the look is audited)."""
    other = find_duplicate(user, keep, other_id)
    audit.record("child.merge_previewed", child_id=other.id, shielded=other.shielded,
                 reason_category=reason_category, detail={"into": keep.id})
    return disclosure.project_row(user, other)


@atomic
def merge(user: User, keep: Child, other: Child) -> None:
    """Move identifiers, carers and involvements from other into keep (management only).

    Refused when both records hold different values for the same identifier scheme.
    """
    if not user.is_management:
        raise NotAllowed()
    active = ChildStatus.active
    if keep.id == other.id or keep.status != active or other.status != active:
        raise Refused("Choose two different, active records to merge")
    for identifier in other.identifiers:
        existing = keep.identifier(identifier.scheme)
        if existing is not None and existing != identifier.value:
            raise Refused(f"These records have different values for the "
                          f"{identifier.scheme.label}, so they cannot be the same child. "
                          "Correct the wrong one first.")
    moved = {"identifiers": 0, "carers": len(other.carers), "involvements": len(other.involvements)}
    for identifier in list(other.identifiers):
        if keep.identifier(identifier.scheme) is None:
            keep.identifiers.append(Identifier(scheme=identifier.scheme, value=identifier.value,
                                               organisation_id=identifier.organisation_id))
            moved["identifiers"] += 1
    other.identifiers.clear()
    with db.session.no_autoflush:  # a flush between leaving one record and joining the
        for carer in list(other.carers):  # other would delete the row as an orphan
            carer.child = keep
        for involvement in list(other.involvements):
            involvement.child = keep
    for shield in db.session.scalars(sa.select(Shield).where(  # every shield survives a
            Shield.child_id == other.id, Shield.active.is_(True))):  # merge, to be reviewed
        shield.child_id = keep.id
    if other.shielded and not keep.shielded:
        keep.shielded = True
        hide_previous_names(keep)
    other.status, other.merged_into_id = ChildStatus.merged, keep.id
    db.session.flush()
    for child_id in (other.id, keep.id):  # both records' histories show the merge
        audit.record("child.merged", subject_type="child",
                     subject_id=other.id, child_id=child_id, reason_category="updating_record",
                     detail={"merged_into": keep.id, "merged_from": other.id, **moved})
    stored_documents.facts_changed(keep, "The record was merged with another")
