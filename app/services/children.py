"""Creating and correcting children's records. Every change writes its audit event in the
same transaction; ownership and consent rules come from services/disclosure.py."""

from __future__ import annotations

from datetime import date

from app.core.dates import anniversary
from app.core.errors import NotAllowed, Refused
from app.database import insert_rows, note_written
from app.extensions import db
from app.models import (
    Carer,
    Child,
    ChildNameKey,
    ChildStatus,
    Gender,
    Identifier,
    Involvement,
    Scheme,
    User,
)
from app.services import audit, disclosure, involvements, stored_documents
from app.services.matching import current_keys, name_key, search_keys
from app.services.transaction import atomic

# ---- creating --------------------------------------------------------------------------

def _date(value) -> date | None:
    return date.fromisoformat(value) if value else None


def _detail_columns(details: dict) -> dict:
    """The child's columns that the details step fills in, with the keys search reads."""
    return {**{name: details.get(name) or None for name in (
        "other_names", "address_line1", "address_line2", "town", "postcode")},
        "given_names": details["given_names"], "family_name": details["family_name"],
        "gender": Gender(details["gender"]), "date_of_birth": _date(details["date_of_birth"]),
        "family_key": name_key(details["family_name"]),
        "given_key": name_key(details["given_names"])}


def _name_keys(columns: dict) -> dict[str, dict]:
    """The search keys a child with these columns is found by, each with its row's values."""
    current = current_keys(columns["family_name"])
    given = columns["given_key"].replace(" ", "")
    return {key: {"key": key, "current": key in current, "given": given,
                  "date_of_birth": columns["date_of_birth"]}
            for key in sorted(search_keys(columns["family_name"], columns["other_names"]))}


def _apply_details(child: Child, details: dict) -> None:
    columns = _detail_columns(details)
    for name, value in columns.items():
        setattr(child, name, value)
    wanted = _name_keys(columns)
    for stale in [k for k in child.name_keys if k.key not in wanted]:
        child.name_keys.remove(stale)
    for kept in child.name_keys:
        kept.current, kept.date_of_birth, kept.given = (
            wanted[kept.key]["current"], child.date_of_birth, wanted[kept.key]["given"])
    have = {k.key for k in child.name_keys}
    child.name_keys.extend(ChildNameKey(**wanted[key]) for key in wanted if key not in have)
    hide_previous_names(child)


def hide_previous_names(child: Child) -> None:
    """Previous names of a shielded child stop matching most searches (and match again
    when the shield is removed)."""
    for key in child.name_keys:
        key.hidden = bool(child.shielded) and not key.current


def _carer_values(user: User, carer: dict) -> dict:
    return {"name": carer["name"], "relationship_to_child": carer["relationship"],
            "parental_responsibility": carer["parental_responsibility"] == "yes",
            "address": carer.get("address") or None, "phone": carer.get("phone") or None,
            "email": carer.get("email") or None,
            "recorded_by_organisation_id": user.organisation_id}


def _carer(user: User, carer: dict) -> Carer:
    return Carer(**_carer_values(user, carer))


@atomic
def create_from_draft(user: User, data: dict, *,
                      not_same_as: list[int] | None = None) -> Child:
    """Save a new child with its identifiers, carers and services; audited."""
    return db.session.get(Child, create_many(user, [(data, not_same_as)])[0])


Prepared = tuple[dict, dict[type, list[dict]]]  # a new child's columns, and its rows of
                                                # each table that hangs from it


@atomic
def create_many(user: User, drafts: list[tuple[dict, list[int] | None]]) -> list[int]:
    """Save new children (each a draft's data and the records it is not the same as), each
    with its audit event, and return their ids."""
    return insert_prepared(user, [(prepare(user, data), not_same_as)
                                  for data, not_same_as in drafts])


@atomic
def insert_prepared(user: User, made: list[tuple[Prepared, list[int] | None]]) -> list[int]:
    """Save new children made ready by prepare() (each with the records it is not the same
    as), each with its audit event, and return their ids. Written as plain INSERTs, a
    statement per table for them all, without the ORM's bookkeeping: an import adds
    thousands a minute, and prepares them before it takes the write lock."""
    if not made:
        return []
    conn = db.session.connection()
    ids = list(conn.execute(Child.__table__.insert().returning(
        Child.__table__.c.id, sort_by_parameter_order=True),
        [columns for (columns, _), _ in made]).scalars())
    for model in (Identifier, Carer, Involvement, ChildNameKey):
        rows = [{**row, "child_id": child_id} for child_id, ((_, related), _) in zip(
            ids, made, strict=True) for row in related[model]]
        insert_rows(conn, model.__table__, rows)
    note_written(db.session)
    audit.record_many([dict(
        action="child.created", subject_type="child", subject_id=child_id, child_id=child_id,
        reason_category="updating_record",
        detail={"identifiers": [i["scheme"].value for i in related[Identifier]],
                "carers": len(related[Carer]), "services": len(related[Involvement]),
                "not_same_as": not_same_as or []})
        for child_id, ((_, related), not_same_as) in zip(ids, made, strict=True)])
    return ids


def prepare(user: User, data: dict) -> Prepared:
    """A new child's columns, and the rows of each table that hang from it, from a draft's
    data (checked already: by the wizard's steps, or an import's row check)."""
    if "details" not in data:
        raise Refused("Enter the child's details first")
    columns = _detail_columns(data["details"])
    identifiers = [{"scheme": scheme, "value": value,
                    "organisation_id": user.organisation_id if scheme == Scheme.local else None}
                   for scheme in Scheme
                   if (value := data.get("identifiers", {}).get(scheme.value))]
    return ({**columns, "created_by_organisation_id": user.organisation_id,
             "status": ChildStatus.active}, {
        Identifier: identifiers,
        Carer: [_carer_values(user, c) for c in data.get("carers", [])],
        Involvement: [involvements.values(user, s) for s in data.get("services", [])],
        ChildNameKey: list(_name_keys(columns).values())})


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
