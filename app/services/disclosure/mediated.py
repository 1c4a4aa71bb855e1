"""What a mediated-access requester may be told of a child: what a practitioner of an
organisation not working with the child would see. A stored answer is checked against this
again each time it is delivered, so an answer given before a shield (or before a service
became sensitive, or before a merge) stops showing what the policy now withholds."""

from __future__ import annotations

from app.core.clock import format_date
from app.models import Child, ChildStatus
from app.services.disclosure.purposes import Purpose
from app.services.disclosure.record import project
from app.services.disclosure.rules import Viewer

Field = tuple[str, str, str]  # (key, label, value)


def mediated_fields(child: Child) -> list[Field]:
    """What a broker may disclose to a mediated-access requester: no NHS number, no
    sensitive service, and nothing about whereabouts when shielded."""
    view = project(Viewer.outsider(), child, Purpose.mediated_answer)
    fields = [("name", "Name", view.full_name),
              ("dob", "Date of birth", format_date(view.date_of_birth)),
              ("gender", "Gender", view.gender)]
    fields += [(f"id:{label}", label, value) for label, value in view.identifiers]
    if view.whereabouts_withheld:
        fields.append(("shielded", "Where the child is",
                       "Withheld: this record is shielded. The management team can put "
                       "you in touch."))
        return fields
    if view.address:
        fields.append(("address", "Address", ", ".join(view.address)))
    for carer in view.carers:
        contact = ", ".join(v for v in (carer.phone, carer.email) if v) or "no contact recorded"
        fields.append((f"carer:{carer.id}", f"Parent or carer: {carer.name} "
                       f"({carer.relationship})", contact))
    for service in view.services:
        if service.unspecified:
            fields.append((f"service:{service.id}", "Another service",
                           "An unspecified service is involved. The management team can "
                           "put you in touch."))
        elif service.current and not service.contact_archived:
            who = ", ".join(v for v in (service.practitioner_name, service.practitioner_role,
                                        service.phone, service.email) if v)
            lead = " (lead professional)" if service.lead_professional else ""
            fields.append((f"service:{service.id}", f"{service.type_label}{lead}",
                           f"{service.service_name}" + (f": {who}" if who else "")))
    return fields


def still_disclosable(stored: list[list[str]], child: Child | None
                      ) -> tuple[list[tuple[str, str]], int]:
    """The parts of an earlier answer that the policy would still let a broker disclose
    today, as (label, value) pairs, and how many parts it now withholds.

    A part survives only while today's policy offers the same field under the same label
    (a shield removes every field about whereabouts; a service turned sensitive changes its
    label; an ended service or a removed carer is no longer offered). The value shown is the
    one disclosed at the time. Answers stored before keys were kept ([label, value]) survive
    only where today's policy offers exactly that label and value. A record that has left
    the directory (archived) withholds the whole answer."""
    if child is None or child.status != ChildStatus.active:
        return [], len(stored)
    offered = mediated_fields(child)
    by_key = {key: label for key, label, _ in offered}
    pairs = {(label, value) for _, label, value in offered}
    shown = []
    for part in stored:
        if len(part) == 3:
            key, label, value = part
            if by_key.get(key) == label:
                shown.append((label, value))
        elif tuple(part) in pairs:
            shown.append(tuple(part))
    return shown, len(stored) - len(shown)
