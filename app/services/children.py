"""Entering and correcting children's records. Every change writes its audit event in the
same transaction; ownership and consent rules come from services/disclosure.py."""

from __future__ import annotations

import json
from datetime import date, timedelta

import sqlalchemy as sa

from app.core.clock import now
from app.core.errors import NotAllowed, Refused
from app.extensions import db
from app.models import (
    Carer,
    Child,
    ChildDraft,
    ChildNameKey,
    ChildStatus,
    Gender,
    Identifier,
    Involvement,
    Scheme,
    ServiceType,
    Shield,
    User,
)
from app.services import audit, disclosure, stored_documents
from app.services.matching import current_keys, name_key, search_keys

DRAFT_LIFETIME = timedelta(hours=24)
SENSITIVE_CHANGED = "A sensitive service, or its consent, was recorded or changed"


# ---- drafts ----------------------------------------------------------------------------

def new_draft(user: User) -> ChildDraft:
    """Start entering a child (and clear away anyone's drafts abandoned over a day ago)."""
    purge_old_drafts()
    draft = ChildDraft(user_id=user.id, data="{}")
    db.session.add(draft)
    db.session.flush()
    return draft


def get_draft(user: User, draft_id: int) -> ChildDraft | None:
    """The user's own draft, if it is less than a day old."""
    draft = db.session.get(ChildDraft, draft_id)
    if draft is None or draft.user_id != user.id or now() - draft.created_at > DRAFT_LIFETIME:
        return None
    return draft


def draft_data(draft: ChildDraft) -> dict:
    """The draft's answers so far."""
    return json.loads(draft.data or "{}")


def save_draft(draft: ChildDraft, data: dict) -> None:
    """Store the draft's answers."""
    draft.data = json.dumps(data, default=str)
    draft.updated_at = now()


def purge_old_drafts() -> int:
    """Delete drafts older than a day (they hold personal data nobody saved)."""
    return db.session.execute(sa.delete(ChildDraft).where(
        ChildDraft.created_at < now() - DRAFT_LIFETIME)).rowcount


# ---- creating --------------------------------------------------------------------------

def _date(value) -> date | None:
    return date.fromisoformat(value) if value else None


def _apply_details(child: Child, details: dict) -> None:
    child.given_names = details["given_names"]
    child.family_name = details["family_name"]
    child.other_names = details.get("other_names") or None
    child.gender = Gender(details["gender"])
    child.date_of_birth = _date(details["date_of_birth"])
    for name in ("address_line1", "address_line2", "town", "postcode"):
        setattr(child, name, details.get(name) or None)
    child.family_key = name_key(child.family_name)
    child.given_key = name_key(child.given_names)
    wanted = search_keys(child.family_name, child.other_names)
    current = current_keys(child.family_name)
    for stale in [k for k in child.name_keys if k.key not in wanted]:
        child.name_keys.remove(stale)
    given = child.given_key.replace(" ", "")
    for kept in child.name_keys:
        kept.current, kept.date_of_birth, kept.given = (kept.key in current,
                                                        child.date_of_birth, given)
    have = {k.key for k in child.name_keys}
    child.name_keys.extend(ChildNameKey(key=key, current=key in current,
                                        date_of_birth=child.date_of_birth, given=given)
                           for key in sorted(wanted - have))
    hide_previous_names(child)


def hide_previous_names(child: Child) -> None:
    """Previous names of a shielded child stop matching most searches (and match again
    when the shield is removed)."""
    for key in child.name_keys:
        key.hidden = bool(child.shielded) and not key.current


def _involvement(user: User, service: dict) -> Involvement:
    service_type = ServiceType(service["service_type"])
    if service_type.category == "sensitive" and not (
            service.get("consent_given_by") and service.get("consent_relationship")
            and service.get("consent_date")):
        raise Refused("A sensitive service is recorded only with consent: who gave it, their "
                      "relationship to the child and when")
    return Involvement(
        organisation_id=user.organisation_id, service_type=service_type,
        service_name=service["service_name"],
        practitioner_name=service.get("practitioner_name") or None,
        practitioner_role=service.get("practitioner_role") or None,
        phone=service.get("phone") or None, email=service.get("email") or None,
        address=service.get("address") or None, start_date=_date(service.get("start_date")),
        lead_professional=bool(service.get("lead_professional")),
        caf_completed=bool(service.get("caf_completed")),
        consent_given_by=service.get("consent_given_by") or None,
        consent_relationship=service.get("consent_relationship") or None,
        consent_date=_date(service.get("consent_date")))


def _carer(user: User, carer: dict) -> Carer:
    return Carer(name=carer["name"], relationship_to_child=carer["relationship"],
                 parental_responsibility=carer["parental_responsibility"] == "yes",
                 address=carer.get("address") or None, phone=carer.get("phone") or None,
                 email=carer.get("email") or None,
                 recorded_by_organisation_id=user.organisation_id)


def create_from_draft(user: User, data: dict, *, ip: str | None,
                      not_same_as: list[int] | None = None) -> Child:
    """Save a new child with its identifiers, carers and services; audited."""
    if "details" not in data:
        raise Refused("Enter the child's details first")
    child = Child(created_by_organisation_id=user.organisation_id, status=ChildStatus.active)
    _apply_details(child, data["details"])
    for scheme in Scheme:
        value = data.get("identifiers", {}).get(scheme.value)
        if value:
            child.identifiers.append(Identifier(scheme=scheme, value=value))
    child.carers.extend(_carer(user, c) for c in data.get("carers", []))
    child.involvements.extend(_involvement(user, s) for s in data.get("services", []))
    db.session.add(child)
    db.session.flush()
    audit.record("child.created", actor_user_id=user.id, organisation_id=user.organisation_id,
                 ip=ip, subject_type="child", subject_id=child.id, child_id=child.id,
                 reason_category="updating_record",
                 detail={"identifiers": [i.scheme.value for i in child.identifiers],
                         "carers": len(child.carers), "services": len(child.involvements),
                         "not_same_as": not_same_as or []})
    return child


def add_draft_involvements_to(user: User, child: Child, data: dict, *, ip: str | None) -> int:
    """"This is the same child": add the user's services to the existing record."""
    if not disclosure.may_open(user, child):
        raise NotAllowed()
    added = [_involvement(user, s) for s in data.get("services", [])]
    with stored_documents.watch(child, SENSITIVE_CHANGED):
        child.involvements.extend(added)
    audit.record("child.matched_existing", actor_user_id=user.id, ip=ip,
                 organisation_id=user.organisation_id, subject_type="child", subject_id=child.id,
                 child_id=child.id, reason_category="updating_record",
                 detail={"services_added": [i.id for i in added]})
    return len(added)


# ---- correcting ------------------------------------------------------------------------

def update_details(user: User, child: Child, details: dict, *, ip: str | None) -> None:
    """Correct the basic details (organisations working with the child, or management)."""
    if not disclosure.may_edit(user, child):
        raise NotAllowed()
    before = {"family_name": child.family_name, "given_names": child.given_names}
    _apply_details(child, details)
    audit.record("child.details_changed", actor_user_id=user.id, ip=ip,
                 organisation_id=user.organisation_id, subject_type="child", subject_id=child.id,
                 child_id=child.id, reason_category="updating_record",
                 detail={"changed": sorted(k for k, v in details.items()
                                           if before.get(k, v) != v)})


def set_identifiers(user: User, child: Child, values: dict[str, str], *, ip: str | None):
    """Replace the child's identifiers with the checked values given."""
    if not disclosure.may_edit(user, child):
        raise NotAllowed()
    if not disclosure.may_see_nhs_number(user, child):
        values = {**values, Scheme.nhs.value: child.identifier(Scheme.nhs) or ""}
    child.identifiers.clear()
    db.session.flush()
    for scheme in Scheme:
        if values.get(scheme.value):
            child.identifiers.append(Identifier(scheme=scheme, value=values[scheme.value]))
    audit.record("child.identifiers_changed", actor_user_id=user.id, ip=ip,
                 organisation_id=user.organisation_id, subject_type="child", subject_id=child.id,
                 child_id=child.id, reason_category="updating_record",
                 detail={"schemes": [i.scheme.value for i in child.identifiers]})


def add_carer(user: User, child: Child, carer: dict, *, ip: str | None) -> Carer:
    """Add a parent or carer."""
    if not disclosure.may_edit(user, child):
        raise NotAllowed()
    record = _carer(user, carer)
    child.carers.append(record)
    db.session.flush()
    audit.record("carer.added", actor_user_id=user.id, ip=ip,
                 organisation_id=user.organisation_id, subject_type="carer", subject_id=record.id,
                 child_id=child.id, reason_category="updating_record")
    return record


def update_carer(user: User, child: Child, carer_id: int, values: dict, *,
                 ip: str | None) -> None:
    """Correct a parent's or carer's details."""
    if not disclosure.may_edit(user, child):
        raise NotAllowed()
    carer = next((c for c in child.carers if c.id == carer_id), None)
    if carer is None:
        raise Refused("That parent or carer is not on this record")
    fresh = _carer(user, values)
    for name in ("name", "relationship_to_child", "parental_responsibility", "address",
                 "phone", "email"):
        setattr(carer, name, getattr(fresh, name))
    audit.record("carer.changed", actor_user_id=user.id, ip=ip,
                 organisation_id=user.organisation_id, subject_type="carer", subject_id=carer_id,
                 child_id=child.id, reason_category="updating_record")


def remove_carer(user: User, child: Child, carer_id: int, *, ip: str | None) -> None:
    """Remove a parent or carer recorded in error or no longer caring."""
    if not disclosure.may_edit(user, child):
        raise NotAllowed()
    carer = next((c for c in child.carers if c.id == carer_id), None)
    if carer is None:
        raise Refused("That parent or carer is not on this record")
    child.carers.remove(carer)
    audit.record("carer.removed", actor_user_id=user.id, ip=ip,
                 organisation_id=user.organisation_id, subject_type="carer", subject_id=carer_id,
                 child_id=child.id, reason_category="updating_record")


def add_involvement(user: User, child: Child, service: dict, *, ip: str | None) -> Involvement:
    """Record the user's organisation's involvement (consent needed for sensitive ones)."""
    if not disclosure.may_open(user, child) or user.role.value == "requester":
        raise NotAllowed()
    record = _involvement(user, service)
    with stored_documents.watch(child, SENSITIVE_CHANGED):
        child.involvements.append(record)
    audit.record("involvement.added", actor_user_id=user.id, ip=ip,
                 organisation_id=user.organisation_id, subject_type="involvement",
                 subject_id=record.id, child_id=child.id, reason_category="updating_record",
                 detail={"service_type": record.service_type.value})
    return record


def update_involvement(user: User, involvement: Involvement, values: dict, *,
                       ip: str | None) -> None:
    """Correct one of the user's organisation's involvements (consent rules still apply)."""
    if not disclosure.may_change_involvement(user, involvement):
        raise NotAllowed()
    fresh = _involvement(user, values)
    with stored_documents.watch(involvement.child, SENSITIVE_CHANGED):
        for name in ("service_type", "service_name", "practitioner_name",
                     "practitioner_role", "phone", "email", "address", "start_date",
                     "lead_professional", "caf_completed", "consent_given_by",
                     "consent_relationship", "consent_date"):
            setattr(involvement, name, getattr(fresh, name))
    audit.record("involvement.changed", actor_user_id=user.id, ip=ip,
                 organisation_id=user.organisation_id, subject_type="involvement",
                 subject_id=involvement.id, child_id=involvement.child_id,
                 reason_category="updating_record",
                 detail={"service_type": involvement.service_type.value})


def end_involvement(user: User, involvement: Involvement, end_date: date, *,
                    ip: str | None) -> None:
    """End one of the user's organisation's involvements."""
    if not disclosure.may_change_involvement(user, involvement):
        raise NotAllowed()
    if involvement.end_date is not None:
        raise Refused("This involvement has already ended")
    if involvement.start_date and end_date < involvement.start_date:
        raise Refused("The end date must be on or after the start date")
    involvement.end_date = end_date
    audit.record("involvement.ended", actor_user_id=user.id, ip=ip,
                 organisation_id=user.organisation_id, subject_type="involvement",
                 subject_id=involvement.id, child_id=involvement.child_id,
                 reason_category="updating_record")


def merge(user: User, keep: Child, other: Child, *, ip: str | None) -> None:
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
            keep.identifiers.append(Identifier(scheme=identifier.scheme, value=identifier.value))
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
        audit.record("child.merged", actor_user_id=user.id, ip=ip,
                     organisation_id=user.organisation_id, subject_type="child",
                     subject_id=other.id, child_id=child_id, reason_category="updating_record",
                     detail={"merged_into": keep.id, "merged_from": other.id, **moved})
    stored_documents.facts_changed(keep, "The record was merged with another")
