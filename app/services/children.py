"""Creating and correcting children's records. Every change writes its audit event in the
same transaction; ownership and consent rules come from services/disclosure.py."""

from __future__ import annotations

from datetime import date

from app.core.dates import anniversary
from app.core.errors import NotAllowed, Refused
from app.extensions import db
from app.models import (
    Carer,
    Child,
    ChildNameKey,
    ChildStatus,
    Gender,
    Identifier,
    Scheme,
    User,
)
from app.services import audit, disclosure, involvements, stored_documents
from app.services.matching import current_keys, name_key, search_keys
from app.services.transaction import atomic

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


def _carer(user: User, carer: dict) -> Carer:
    return Carer(name=carer["name"], relationship_to_child=carer["relationship"],
                 parental_responsibility=carer["parental_responsibility"] == "yes",
                 address=carer.get("address") or None, phone=carer.get("phone") or None,
                 email=carer.get("email") or None,
                 recorded_by_organisation_id=user.organisation_id)


@atomic
def create_from_draft(user: User, data: dict, *,
                      not_same_as: list[int] | None = None) -> Child:
    """Save a new child with its identifiers, carers and services; audited."""
    return create_many(user, [(data, not_same_as)])[0]


@atomic
def create_many(user: User, drafts: list[tuple[dict, list[int] | None]]) -> list[Child]:
    """Save new children (each a draft's data and the records it is not the same as), in
    one flush, each with its audit event: an import adds hundreds at a time."""
    made = [_build(user, data) for data, _ in drafts]
    db.session.add_all(made)
    db.session.flush()
    audit.record_many([dict(
        action="child.created", subject_type="child", subject_id=child.id, child_id=child.id,
        reason_category="updating_record",
        detail={"identifiers": [i.scheme.value for i in child.identifiers],
                "carers": len(child.carers), "services": len(child.involvements),
                "not_same_as": not_same_as or []})
        for child, (_, not_same_as) in zip(made, drafts, strict=True)])
    return made


def _build(user: User, data: dict) -> Child:
    if "details" not in data:
        raise Refused("Enter the child's details first")
    child = Child(created_by_organisation_id=user.organisation_id, status=ChildStatus.active)
    _apply_details(child, data["details"])
    for scheme in Scheme:
        value = data.get("identifiers", {}).get(scheme.value)
        if value:
            child.identifiers.append(Identifier(
                scheme=scheme, value=value,
                organisation_id=user.organisation_id if scheme == Scheme.local else None))
    child.carers.extend(_carer(user, c) for c in data.get("carers", []))
    child.involvements.extend(involvements.build(user, s) for s in data.get("services", []))
    return child


@atomic
def add_draft_involvements_to(user: User, child: Child, data: dict) -> int:
    """"This is the same child": add the user's services to the existing record."""
    if not disclosure.may_open(user, child):
        raise NotAllowed()
    added = [involvements.build(user, s) for s in data.get("services", [])]
    with stored_documents.watch(child, involvements.SENSITIVE_CHANGED):
        child.involvements.extend(added)
    audit.record("child.matched_existing", subject_type="child", subject_id=child.id,
                 child_id=child.id, reason_category="updating_record",
                 detail={"services_added": [i.id for i in added]})
    return len(added)


# ---- correcting ------------------------------------------------------------------------

@atomic
def update_details(user: User, child: Child, details: dict) -> None:
    """Correct the basic details (organisations working with the child, or management)."""
    if not disclosure.may_edit(user, child):
        raise NotAllowed()
    before = {"family_name": child.family_name, "given_names": child.given_names}
    _apply_details(child, details)
    audit.record("child.details_changed", subject_type="child", subject_id=child.id,
                 child_id=child.id, reason_category="updating_record",
                 detail={"changed": sorted(k for k, v in details.items()
                                           if before.get(k, v) != v)})


@atomic
def set_identifiers(user: User, child: Child, values: dict[str, str]):
    """Replace the child's identifiers with the checked values given."""
    if not disclosure.may_edit(user, child):
        raise NotAllowed()
    kept = {i.scheme: i for i in child.identifiers
            if not disclosure.may_see_identifier(user, child, i)}  # not theirs to change
    owners = {i.scheme: i.organisation_id for i in child.identifiers}
    child.identifiers.clear()
    db.session.flush()
    for scheme in Scheme:
        if scheme in kept:
            child.identifiers.append(Identifier(scheme=scheme, value=kept[scheme].value,
                                                organisation_id=kept[scheme].organisation_id))
        elif values.get(scheme.value):
            owner = owners.get(scheme) or user.organisation_id
            child.identifiers.append(Identifier(
                scheme=scheme, value=values[scheme.value],
                organisation_id=owner if scheme == Scheme.local else None))
    audit.record("child.identifiers_changed", subject_type="child", subject_id=child.id,
                 child_id=child.id, reason_category="updating_record",
                 detail={"schemes": [i.scheme.value for i in child.identifiers]})


@atomic
def add_carer(user: User, child: Child, carer: dict) -> Carer:
    """Add a parent or carer."""
    if not disclosure.may_edit(user, child):
        raise NotAllowed()
    record = _carer(user, carer)
    child.carers.append(record)
    db.session.flush()
    audit.record("carer.added", subject_type="carer", subject_id=record.id,
                 child_id=child.id, reason_category="updating_record")
    return record


@atomic
def update_carer(user: User, child: Child, carer_id: int, values: dict) -> None:
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
    audit.record("carer.changed", subject_type="carer", subject_id=carer_id,
                 child_id=child.id, reason_category="updating_record")


@atomic
def remove_carer(user: User, child: Child, carer_id: int) -> None:
    """Remove a parent or carer recorded in error or no longer caring."""
    if not disclosure.may_edit(user, child):
        raise NotAllowed()
    carer = next((c for c in child.carers if c.id == carer_id), None)
    if carer is None:
        raise Refused("That parent or carer is not on this record")
    child.carers.remove(carer)
    audit.record("carer.removed", subject_type="carer", subject_id=carer_id,
                 child_id=child.id, reason_category="updating_record")


@atomic
def own_list(user: User, filters: disclosure.ListFilters | None = None,
             page: int = 1) -> tuple[list[disclosure.RowView], int]:
    """A page of the children the user's organisation works with, and how many match
    (the look is audited: which filters, never the name typed)."""
    filters = filters or disclosure.ListFilters()
    rows, total = disclosure.own_children(user, filters, page)
    audit.record("children.listed", detail={
        "rows": len(rows), "page": page, "of": total,
        "filters": [f for f in ("name", "born", "shielded")
                    if getattr(filters, f) not in (None, "")]})
    return rows, total


@atomic
def record_circumstances(user, child: Child, *, date_of_death, left_england_on, stay_until,
                         stay_consent) -> None:
    """Record death, leaving England or consent to stay (what retention acts on)."""
    if not (user.is_management or disclosure.may_edit(user, child)):
        raise NotAllowed()
    if stay_until and stay_until > anniversary(child.date_of_birth, 25):
        raise Refused("Consent to stay can run to the 25th birthday at the latest")
    child.date_of_death, child.left_england_on = date_of_death, left_england_on
    child.stay_until, child.stay_consent = stay_until, (stay_consent or None) if stay_until \
        else None
    audit.record("child.retention_changed", child_id=child.id,
                 reason_category="updating_record",
                 detail={"death": str(date_of_death), "left": str(left_england_on),
                         "stay_until": str(stay_until), "consent": stay_consent})
