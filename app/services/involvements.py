"""Involvements: each organisation records, corrects and ends its own; a sensitive service
only with consent (and recording or changing one acts on the documents built on the old
facts, services/stored_documents.py)."""

from __future__ import annotations

from datetime import date

from app.core.errors import NotAllowed, NotFound, Refused
from app.models import Child, Involvement, ServiceType, User
from app.services import audit, disclosure, stored_documents
from app.services.transaction import atomic

SENSITIVE_CHANGED = "A sensitive service, or its consent, was recorded or changed"


def _date(value) -> date | None:
    return date.fromisoformat(value) if value else None


def build(user: User, service: dict) -> Involvement:
    """A new involvement of the user's organisation, from a service step's answers."""
    return Involvement(**values(user, service))


def values(user: User, service: dict) -> dict:
    """A new involvement's columns, from a service step's answers (a sensitive service
    only with consent)."""
    service_type = ServiceType(service["service_type"])
    if service_type.category == "sensitive" and not (
            service.get("consent_given_by") and service.get("consent_relationship")
            and service.get("consent_date")):
        raise Refused("A sensitive service is recorded only with consent: who gave it, their "
                      "relationship to the child and when")
    return dict(
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


def involvement_of(child: Child, involvement_id: int) -> Involvement:
    """One of the child's involvements, or NotFound."""
    involvement = next((i for i in child.involvements if i.id == involvement_id), None)
    if involvement is None:
        raise NotFound()
    return involvement


@atomic
def add_involvement(user: User, child: Child, service: dict) -> Involvement:
    """Record the user's organisation's involvement (consent needed for sensitive ones)."""
    if not disclosure.may_open(user, child) or user.role.value == "requester":
        raise NotAllowed()
    record = build(user, service)
    with stored_documents.watch(child, SENSITIVE_CHANGED):
        child.involvements.append(record)
    audit.record("involvement.added", subject_type="involvement",
                 subject_id=record.id, child_id=child.id, reason_category="updating_record",
                 detail={"service_type": record.service_type.value})
    return record


@atomic
def update_involvement(user: User, involvement: Involvement, values: dict) -> None:
    """Correct one of the user's organisation's involvements (consent rules still apply)."""
    if not disclosure.may_change_involvement(user, involvement):
        raise NotAllowed()
    fresh = build(user, values)
    with stored_documents.watch(involvement.child, SENSITIVE_CHANGED):
        for name in ("service_type", "service_name", "practitioner_name",
                     "practitioner_role", "phone", "email", "address", "start_date",
                     "lead_professional", "caf_completed", "consent_given_by",
                     "consent_relationship", "consent_date"):
            setattr(involvement, name, getattr(fresh, name))
    audit.record("involvement.changed", subject_type="involvement",
                 subject_id=involvement.id, child_id=involvement.child_id,
                 reason_category="updating_record",
                 detail={"service_type": involvement.service_type.value})


@atomic
def end_involvement(user: User, involvement: Involvement, end_date: date) -> None:
    """End one of the user's organisation's involvements."""
    if not disclosure.may_change_involvement(user, involvement):
        raise NotAllowed()
    if involvement.end_date is not None:
        raise Refused("This involvement has already ended")
    if involvement.start_date and end_date < involvement.start_date:
        raise Refused("The end date must be on or after the start date")
    involvement.end_date = end_date
    audit.record("involvement.ended", subject_type="involvement",
                 subject_id=involvement.id, child_id=involvement.child_id,
                 reason_category="updating_record")
