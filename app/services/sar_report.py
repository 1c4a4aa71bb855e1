"""The subject access report: the facts gathered here (the record, who looked from the
audit trail, who was told through mediated requests) go through the disclosure policy's
projection for this requester (services/disclosure/requester.py), which decides every
redaction; this module only words the sections. The officer's log is kept apart."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from app.core.clock import format_date
from app.extensions import db
from app.models import (
    AuditEvent,
    Child,
    MediatedRequest,
    Organisation,
    RequestStatus,
    SubjectAccessRequest,
)
from app.services import disclosure, records, retention_rules


@dataclass
class Section:
    """A titled part of the report."""

    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Report:
    """The requester's copy (sections), the officer's log (redactions), the controller who
    sends it, and the digest of the disclosure facts it was built on."""

    request: SubjectAccessRequest
    child_name: str
    sections: list[Section]
    redactions: list[tuple[str, str]]
    controller: Organisation | None
    basis: str
    notices: list[str] = field(default_factory=list)


def controller() -> Organisation | None:
    """The host organisation: it runs the directory and answers for it."""
    return db.session.scalar(sa.select(Organisation).where(Organisation.is_host.is_(True)))


def dpo_contact(host: Organisation | None) -> str | None:
    """How to reach the data protection officer: the host's own details, else DPO_CONTACT."""
    return (host.dpo_contact if host and host.dpo_contact
            else current_app.config.get("DPO_CONTACT"))


def missing_details(host: Organisation | None) -> list[str]:
    """What a report cannot be sent without: the controller's address and the DPO."""
    missing = []
    if host is None or not host.address:
        missing.append("your organisation's postal address")
    if not dpo_contact(host):
        missing.append("how to contact your data protection officer")
    return missing


def build(request: SubjectAccessRequest) -> Report:
    """Assemble the report and its redaction log, from the record as it is now."""
    child = records.surviving(db.session.get(Child, request.child_id))
    ids = records.merge_tree(child.id)
    basis = disclosure.basis_digest(child, ids)  # before anything is read for the report
    host = controller()
    view = disclosure.for_requester(
        child, disclosure.Requester(request.requester_relationship, request.requester_name,
                                    request.requester_carer_id),
        controller_id=host.id if host else None, looked=_looked(ids), told=_told(ids))
    young = request.requester_relationship == "young_person"
    sections = [
        Section("The information we hold", rows=view.held),
        Section("Parents and carers", rows=view.carers),
        Section("Who is working with the child", rows=view.services),
        _recipients(view, young), _purposes(), _sources(view), _retention(child, view),
        _rights(host)]
    return Report(request=request, child_name=view.child_name, sections=sections,
                  redactions=view.withheld, controller=host, basis=basis,
                  notices=_notices(young, view.whereabouts_withheld))


def _notices(young: bool, place_withheld: bool) -> list[str]:
    """What this copy leaves out, in words that are the same for every requester of a kind
    whatever the record holds (rule 5 of disclosure/requester.py)."""
    notices = ["This copy leaves out other people's contact details: they are those "
               "people's own information."]
    if not young:
        notices.append("It also leaves out information that is the young person's to share, "
                       "such as some health services they use, and the organisations that "
                       "provide them.")
    if place_withheld:
        notices.append("Some information is withheld because sharing it could put someone "
                       "at risk. Where this copy says 'Withheld', we hold information that "
                       "we cannot share with you.")
    return notices


def _looked(child_ids: list[int]) -> list[int]:
    return list(db.session.scalars(
        sa.select(AuditEvent.organisation_id)
        .where(AuditEvent.child_id.in_(child_ids), AuditEvent.action == "child.viewed",
               AuditEvent.organisation_id.is_not(None))
        .distinct()))


def _told(child_ids: list[int]) -> list[str]:
    return list(db.session.scalars(
        sa.select(MediatedRequest.requester_organisation)
        .where(MediatedRequest.child_id.in_(child_ids),
               MediatedRequest.status == RequestStatus.answered)))


def _recipients(view: disclosure.RequesterView, young: bool) -> Section:
    if view.looked:
        paragraphs = ["Staff of these organisations have opened the record, each time giving "
                      f"a reason: {', '.join(view.looked)}."]
    else:
        paragraphs = ["This copy names no organisation whose staff have opened the record."]
    if view.whereabouts_withheld:
        paragraphs.append("Staff of organisations that work with the child have opened it, "
                          "each time giving a reason. This copy does not name them.")
    if view.told_count:
        who = f": {', '.join(view.told)}" if young else ""
        paragraphs.append(f"We answered {view.told_count} "
                          f"{'request' if view.told_count == 1 else 'requests'} about the "
                          f"child from practitioners of other organisations who have no "
                          f"access of their own{who}.")
    return Section("Who has looked at the record", paragraphs=paragraphs)


def _purposes() -> Section:
    return Section("Why we hold it", paragraphs=[
        "To let the people working with the child find each other and coordinate the help "
        "the child receives, and to keep children safe. We hold no case notes, assessments "
        "or opinions.",
        "The law lets us hold it because it is part of a task carried out in the public "
        "interest, and, for health services, because it is needed to provide health and "
        "care (for a lawyer or adviser: UK GDPR articles 6(1)(e) and 9(2)(h)).",
        "We make no decisions about anyone by automated means, and we do not profile "
        "anyone. We do not send the information outside the United Kingdom."])


def _sources(view: disclosure.RequesterView) -> Section:
    paragraphs = [f"The organisations that recorded it: {', '.join(view.sources)}."
                  if view.sources else "This copy names no organisation that recorded it."]
    if view.whereabouts_withheld:
        paragraphs.append("Organisations that work with the child recorded it. This copy "
                          "does not name them.")
    return Section("Where it came from", paragraphs=paragraphs)


def _retention(child: Child, view: disclosure.RequesterView) -> Section:
    kept = ("Archived records are kept for 6 years for serious case and child death "
            "reviews, then destroyed.")
    if child.archived_at is not None:
        first = f"The record left the directory on {format_date(child.archived_at)}."
    elif view.whereabouts_withheld:  # the date could tell where the child has gone
        first = ("The record leaves the directory at the 18th birthday, or earlier in some "
                 "circumstances.")
    else:
        due = retention_rules.archive_due(child)
        first = f"The record leaves the directory on {format_date(due[0])} ({due[1]})."
    return Section("How long we keep it", paragraphs=[first, kept])


def _rights(host: Organisation | None) -> Section:
    cfg = current_app.config
    name = host.name if host else "the organisation that runs TeamAround"
    dpo = dpo_contact(host) or "not recorded yet"
    officer = f"{host.dpo_name}, " if host and host.dpo_name else ""
    address = host.address if host and host.address else "address not recorded yet"
    return Section("Your rights", paragraphs=[
        f"The organisation responsible for this information is {name}, {address}.",
        "You can ask us to correct anything that is wrong, to delete it, to limit how we "
        "use it while a question about it is settled, or to stop using it.",
        f"Write to our data protection officer: {officer}{dpo}.",
        "You can complain to the Information Commissioner's Office: " + cfg["ICO_CONTACT"]
        + "."])

