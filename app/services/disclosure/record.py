"""Projections of a child's record for a viewer: the record page, list rows, edit forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.core.clock import format_date, now
from app.models import Child, Involvement, Role
from app.services import identifiers
from app.services.disclosure.purposes import RECORD_SHAPED, Purpose
from app.services.disclosure.rules import (
    Looker,
    hides_whereabouts,
    may_change_involvement,
    may_edit,
    may_see_identifier,
)

UNSPECIFIED = "An unspecified service is involved"
WITHHELD = "Withheld: this record is shielded"


@dataclass
class ServiceView:
    """One involvement as this viewer may see it."""

    id: int
    unspecified: bool
    type_label: str = ""
    category: str = ""
    service_name: str = ""
    organisation_name: str = ""
    practitioner_name: str | None = None
    practitioner_role: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    lead_professional: bool = False
    caf_completed: bool = False
    consent: str | None = None
    editable: bool = False
    current: bool = True
    contact_archived: bool = False


@dataclass
class CarerView:
    """One parent or carer as this viewer may see them."""

    id: int
    name: str
    relationship: str
    parental_responsibility: bool
    address: str | None
    phone: str | None
    email: str | None


@dataclass
class ChildView:
    """A child's record as one viewer may see it, for one purpose."""

    id: int
    given_names: str
    family_name: str
    other_names: str | None
    gender: str
    date_of_birth: date
    date_of_death: date | None
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    address: list[str] = field(default_factory=list)
    carers: list[CarerView] = field(default_factory=list)
    services: list[ServiceView] = field(default_factory=list)
    other_services_hidden: int = 0
    shielded: bool = False          # a shield is in force (management see a warning)
    whereabouts_withheld: bool = False  # this viewer sees only name, DOB, gender, ids
    can_edit: bool = False
    can_record_involvement: bool = False
    can_merge: bool = False
    can_shield: bool = False
    address_fields: dict = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        """Given names then family name."""
        return f"{self.given_names} {self.family_name}"


def _service(viewer: Looker, involvement: Involvement, today: date) -> ServiceView | None:
    own = involvement.organisation_id == viewer.organisation_id
    if involvement.is_sensitive and not (own or viewer.is_management):
        return ServiceView(id=involvement.id, unspecified=True,
                           current=involvement.is_current(today))
    if viewer.role == Role.data_entry and not own:
        return None
    consent = None
    if involvement.is_sensitive:
        consent = (f"{involvement.consent_given_by} ({involvement.consent_relationship}), "
                   f"{format_date(involvement.consent_date)}" if involvement.consent_date
                   else None)
    if involvement.contact_archived_at is not None:  # retention took the contact details
        return ServiceView(
            id=involvement.id, unspecified=False, type_label=involvement.service_type.label,
            category=involvement.service_type.category.value,
            service_name=involvement.service_name,
            organisation_name=involvement.organisation.name,
            start_date=involvement.start_date, end_date=involvement.end_date,
            current=False, contact_archived=True)
    return ServiceView(
        id=involvement.id, unspecified=False, type_label=involvement.service_type.label,
        category=involvement.service_type.category.value, service_name=involvement.service_name,
        organisation_name=involvement.organisation.name,
        practitioner_name=involvement.practitioner_name,
        practitioner_role=involvement.practitioner_role, phone=involvement.phone,
        email=involvement.email, address=involvement.address,
        start_date=involvement.start_date, end_date=involvement.end_date,
        lead_professional=involvement.lead_professional,
        caf_completed=involvement.caf_completed, consent=consent,
        editable=may_change_involvement(viewer, involvement),
        current=involvement.is_current(today))


def project(viewer: Looker, child: Child,
            purpose: Purpose = Purpose.record_page) -> ChildView:
    """The child as this viewer may see it, for one of the record-shaped purposes (the
    record page, its edit forms, the archive, brokering contact, the mediated answer, the
    preview). Callers check may_open() first. A read-only purpose offers no action."""
    purpose = Purpose(purpose)
    if purpose not in RECORD_SHAPED:
        raise ValueError(f"{purpose} is not shown as a record")
    view = (_shielded_view(viewer, child) if hides_whereabouts(viewer, child)
            else _full_view(viewer, child))
    if purpose.read_only:
        view.can_edit = view.can_record_involvement = view.can_merge = view.can_shield = False
        for service in view.services:
            service.editable = False
    return view


def _full_view(viewer: Looker, child: Child) -> ChildView:
    today = now().date()
    shown_ids = _identifiers(viewer, child)
    services, hidden = [], 0
    for involvement in child.involvements:
        view = _service(viewer, involvement, today)
        if view is None:
            hidden += 1
        else:
            services.append(view)
    address = [part for part in (child.address_line1, child.address_line2, child.town,
                                 child.postcode) if part]
    carers = [CarerView(id=c.id, name=c.name, relationship=c.relationship_to_child,
                        parental_responsibility=c.parental_responsibility, address=c.address,
                        phone=c.phone, email=c.email) for c in child.carers]
    return ChildView(
        id=child.id, given_names=child.given_names, family_name=child.family_name,
        other_names=child.other_names, gender=child.gender.label,
        date_of_birth=child.date_of_birth, date_of_death=child.date_of_death,
        identifiers=shown_ids, address=address, carers=carers, services=services,
        other_services_hidden=hidden, can_edit=may_edit(viewer, child),
        shielded=child.shielded,
        address_fields={name: getattr(child, name) for name in
                        ("address_line1", "address_line2", "town", "postcode")},
        can_record_involvement=viewer.role in (Role.practitioner, Role.data_entry)
        or viewer.is_management, can_merge=viewer.is_management,
        can_shield=not child.shielded and (viewer.role == Role.practitioner
                                           or viewer.is_management))


def _identifiers(viewer: Looker, child: Child) -> list[tuple[str, str]]:
    return [(i.scheme.label, identifiers.display(i.scheme, i.value)) for i in child.identifiers
            if may_see_identifier(viewer, child, i)]


def _shielded_view(viewer: Looker, child: Child) -> ChildView:
    """Name, date of birth, gender and identifiers only: nothing that says where, but for
    the viewer's own organisation's involvements (it knows where it works with the child)."""
    today = now().date()
    own = [_service(viewer, i, today) for i in child.involvements
           if i.organisation_id == viewer.organisation_id]
    return ChildView(
        id=child.id, given_names=child.given_names, family_name=child.family_name,
        other_names=None, gender=child.gender.label, date_of_birth=child.date_of_birth,
        date_of_death=child.date_of_death, identifiers=_identifiers(viewer, child),
        services=[s for s in own if s], shielded=True, whereabouts_withheld=True,
        can_record_involvement=viewer.role in (Role.practitioner, Role.data_entry))
