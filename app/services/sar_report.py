"""The subject access report: what is held about the child, built from the disclosure
policy's full view and then redacted for this requester, with a redaction log kept apart
for the data-protection officer."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import AuditEvent, Child, Organisation, Role, SubjectAccessRequest
from app.services import disclosure, retention
from app.services.clock import format_date

WITHHELD = "Withheld (see the note in this section)"


@dataclass
class Section:
    """A titled part of the report."""

    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Report:
    """The parent's copy (sections) and the officer's log (redactions), kept apart."""

    request: SubjectAccessRequest
    child_name: str
    sections: list[Section]
    redactions: list[tuple[str, str]]


def _full_view(child: Child):
    management = SimpleNamespace(role=Role.admin, organisation_id=-1, is_management=True)
    return disclosure.project(management, child, "subject access")


def build(request: SubjectAccessRequest) -> Report:
    """Assemble the report and its redaction log."""
    child = db.session.get(Child, request.child_id)
    view = _full_view(child)
    young_person = request.requester_relationship == "young_person"
    hide_whereabouts = child.shielded and not young_person
    redactions: list[tuple[str, str]] = []
    held = Section("The information we hold", rows=[
        ("Name", view.full_name), ("Date of birth", format_date(view.date_of_birth)),
        ("Gender", view.gender)])
    if view.other_names:
        if hide_whereabouts:
            redactions.append(("Other or previous names", "The record is shielded and the "
                               "requester may be the person the child is shielded from"))
        else:
            held.rows.append(("Other or previous names", view.other_names))
    held.rows += [(label, value) for label, value in view.identifiers]
    if hide_whereabouts:
        held.rows.append(("Address", WITHHELD))
        held.paragraphs.append("Some details are withheld because sharing them could put "
                               "someone at risk.")
        redactions.append(("Address, town and postcode", "The record is shielded and the "
                           "requester may be the person the child is shielded from"))
    else:
        held.rows.append(("Address", ", ".join(view.address) or "Not recorded"))
    carers = Section("Parents and carers")
    for carer in view.carers:
        is_requester = carer.name.casefold() == request.requester_name.casefold()
        contact = ", ".join(v for v in (carer.address, carer.phone, carer.email) if v)
        if contact and (hide_whereabouts or not (is_requester or young_person)):
            redactions.append((f"Contact details of {carer.name}",
                               "Another person's personal data (third party), not reasonable "
                               "to disclose without their consent" if not hide_whereabouts
                               else "The record is shielded"))
            contact = WITHHELD
        carers.rows.append((f"{carer.name} ({carer.relationship})",
                            contact or "No contact details recorded"))
    if any(value == WITHHELD for _, value in carers.rows):
        carers.paragraphs.append("Other people's contact details are withheld: they are "
                                 "those people's own personal information."
                                 if not hide_whereabouts else
                                 "Contact details are withheld because sharing them could "
                                 "put someone at risk.")
    services = Section("Who is working with the child")
    for service in view.services:
        if service.category == "sensitive" and not young_person:
            redactions.append((f"{service.type_label}: {service.service_name}",
                               "A sensitive service is shown only to the young person (or "
                               "with their consent)"))
            continue
        if hide_whereabouts:
            redactions.append((f"{service.type_label}: {service.service_name}",
                               "The record is shielded: the service would show where the "
                               "child is"))
            services.rows.append((service.type_label, WITHHELD))
            continue
        who = ", ".join(v for v in (service.practitioner_name, service.practitioner_role,
                                    service.phone, service.email) if v)
        dates = ("" if not service.end_date else f" (ended {format_date(service.end_date)})")
        services.rows.append((service.type_label,
                              f"{service.service_name}{': ' + who if who else ''}{dates}"))
    return Report(request=request, child_name=view.full_name, redactions=redactions,
                  sections=[held, carers, services, _recipients(child), _purposes(),
                            _sources(child), _retention(child), _rights()])


def _recipients(child: Child) -> Section:
    names = db.session.scalars(
        sa.select(Organisation.name).join(AuditEvent, AuditEvent.organisation_id ==
                                          Organisation.id)
        .where(AuditEvent.child_id == child.id, AuditEvent.action == "child.viewed")
        .distinct().order_by(Organisation.name)).all()
    return Section("Who has looked at the record", paragraphs=[
        "These organisations' staff have opened the record, each time giving a reason:",
        ", ".join(names) if names else "No one outside the organisations that recorded it."])


def _purposes() -> Section:
    return Section("Why we hold it", paragraphs=[
        "To let the people working with the child find each other and coordinate the help "
        "the child receives, and to keep children safe. We hold no case notes, assessments "
        "or opinions.",
        "Lawful basis: a task carried out in the public interest (UK GDPR article 6(1)(e)) "
        "and, for health services, article 9(2)(h)."])


def _sources(child: Child) -> Section:
    names = sorted({involvement.organisation.name for involvement in child.involvements}
                   | {db.session.get(Organisation, child.created_by_organisation_id).name})
    return Section("Where it came from", paragraphs=[
        "The organisations that recorded it: " + ", ".join(names) + "."])


def _retention(child: Child) -> Section:
    due = retention.archive_due(child)
    when = f" on {format_date(due[0])} ({due[1]})" if due else ""
    return Section("How long we keep it", paragraphs=[
        f"The record leaves the directory{when}, usually at the 18th birthday. Archived "
        "records are kept for 6 years for serious case and child death reviews, then "
        "destroyed."])


def _rights() -> Section:
    cfg = current_app.config
    return Section("Your rights", paragraphs=[
        "You can ask us to correct anything that is wrong (rectification), to delete it "
        "(erasure) or to stop using it (objection). Write to: " + cfg["DPO_CONTACT"] + ".",
        "You can complain to the Information Commissioner's Office: " + cfg["ICO_CONTACT"]
        + "."])
