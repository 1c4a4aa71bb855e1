"""THE one place that decides what a user may see of a child.

Every output carrying child data (page, fragment, match list, and later search rows,
exports, letters and reports) is rendered from the projection returned here for
(viewer, child, purpose). Templates never read a child's model directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Child, ChildStatus, Involvement, Role, Scheme, User
from app.services import identifiers
from app.services.clock import format_date, now

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
    address_fields: dict = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        """Given names then family name."""
        return f"{self.given_names} {self.family_name}"


def involved_organisation_ids(child: Child) -> set[int]:
    """Organisations working with the child now. The organisation that created the record
    counts too, but only while no involvement at all is recorded (so that a record saved
    without services is not orphaned); once it ends its involvements, its access ends."""
    today = now().date()
    ids = {i.organisation_id for i in child.involvements if i.is_current(today)}
    if not child.involvements:
        ids.add(child.created_by_organisation_id)
    return ids


def is_involved(viewer: User, child: Child) -> bool:
    """True if the viewer's organisation works with the child."""
    return viewer.organisation_id in involved_organisation_ids(child)


def may_open(viewer: User, child: Child) -> bool:
    """Whether the viewer may open the child's record at all."""
    if child.status != ChildStatus.active:
        return False
    if viewer.is_management:
        return True
    if viewer.role == Role.practitioner:
        return True
    if viewer.role == Role.data_entry:
        return is_involved(viewer, child)
    return False


def hides_whereabouts(viewer: User, child: Child) -> bool:
    """A shield withholds everything but name, date of birth, gender and identifiers from
    everyone outside the management team."""
    return child.shielded and not viewer.is_management


def may_edit(viewer: User, child: Child) -> bool:
    """Basic details and carers: management, or practitioners and data entry of an
    organisation working with the child (not while a shield withholds them)."""
    if not may_open(viewer, child) or hides_whereabouts(viewer, child):
        return False
    return viewer.is_management or (
        viewer.role in (Role.practitioner, Role.data_entry) and is_involved(viewer, child))


def may_see_nhs_number(viewer: User, child: Child) -> bool:
    """The NHS number goes only to those who need it: the management team and the staff of
    organisations working with the child (to match their own records)."""
    return viewer.is_management or is_involved(viewer, child)


def may_change_involvement(viewer: User, involvement: Involvement) -> bool:
    """An organisation changes and ends only its own involvements."""
    if viewer.organisation_id != involvement.organisation_id:
        return False
    if involvement.contact_archived_at is not None:  # retention has taken it
        return False
    if hides_whereabouts(viewer, involvement.child):
        return False
    return viewer.role in (Role.practitioner, Role.data_entry) or viewer.is_management


def _service(viewer: User, involvement: Involvement, today: date) -> ServiceView | None:
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


def project(viewer: User, child: Child, purpose: str = "page") -> ChildView:
    """The child as this viewer may see it. Callers check may_open() first."""
    if hides_whereabouts(viewer, child):
        return _shielded_view(viewer, child)
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
        or viewer.is_management)


def _identifiers(viewer: User, child: Child) -> list[tuple[str, str]]:
    return [(scheme.label, identifiers.display(scheme, value))
            for scheme, value in ((i.scheme, i.value) for i in child.identifiers)
            if scheme != Scheme.nhs or may_see_nhs_number(viewer, child)]


def _shielded_view(viewer: User, child: Child) -> ChildView:
    """Name, date of birth, gender and identifiers only: nothing that says where."""
    return ChildView(
        id=child.id, given_names=child.given_names, family_name=child.family_name,
        other_names=None, gender=child.gender.label, date_of_birth=child.date_of_birth,
        date_of_death=child.date_of_death, identifiers=_identifiers(viewer, child),
        shielded=True, whereabouts_withheld=True,
        can_record_involvement=viewer.role in (Role.practitioner, Role.data_entry))


@dataclass
class RowView:
    """A child in a list (own list, likely duplicates): enough to recognise, no more."""

    id: int
    name: str
    date_of_birth: date
    gender: str
    town: str | None
    reasons: list[str] = field(default_factory=list)
    town_withheld: bool = False


def project_row(viewer: User, child: Child, reasons: list[str] | None = None) -> RowView:
    """Name, date of birth, gender and town only; never the full address, and no town
    while a shield withholds it."""
    withheld = hides_whereabouts(viewer, child)
    return RowView(id=child.id, name=child.full_name, date_of_birth=child.date_of_birth,
                   gender=child.gender.label, town=None if withheld else child.town,
                   reasons=list(reasons or []), town_withheld=withheld)


def own_children(viewer: User, limit: int = 500) -> list[RowView]:
    """Children the viewer's organisation works with, for its own list."""
    involved = sa.select(Involvement.child_id).where(
        Involvement.organisation_id == viewer.organisation_id,
        sa.or_(Involvement.end_date.is_(None), Involvement.end_date > now().date()))
    no_involvements = ~sa.exists().where(Involvement.child_id == Child.id)
    query = (sa.select(Child)
             .where(Child.status == ChildStatus.active)
             .where(sa.or_(Child.id.in_(involved), sa.and_(
                 Child.created_by_organisation_id == viewer.organisation_id, no_involvements)))
             .order_by(Child.family_key, Child.given_key).limit(limit))
    return [project_row(viewer, child) for child in db.session.scalars(query)]


def involvement_for_edit(viewer: User, involvement: Involvement) -> dict | None:
    """All fields of an involvement, for its own organisation to correct; else None."""
    if not may_change_involvement(viewer, involvement):
        return None
    names = ("service_name", "practitioner_name", "practitioner_role", "phone", "email",
             "address", "start_date", "lead_professional", "caf_completed",
             "consent_given_by", "consent_relationship", "consent_date")
    return {"service_type": involvement.service_type.value,
            **{name: getattr(involvement, name) for name in names}}


def carer_for_edit(viewer: User, child: Child, carer_id: int) -> dict | None:
    """A carer's fields, for those who may correct the record; else None."""
    carer = next((c for c in child.carers if c.id == carer_id), None)
    if carer is None or not may_edit(viewer, child):  # may_edit is False behind a shield
        return None
    return {"name": carer.name, "relationship": carer.relationship_to_child,
            "parental_responsibility": "yes" if carer.parental_responsibility else "no",
            "address": carer.address, "phone": carer.phone, "email": carer.email}


def mediated_fields(child: Child) -> list[tuple[str, str, str]]:
    """What a broker may disclose to a mediated-access requester: what a practitioner of an
    organisation not working with the child would see (no NHS number, no sensitive service,
    and nothing about whereabouts when shielded). Returns (key, label, value) triples."""
    from types import SimpleNamespace

    outsider = SimpleNamespace(role=Role.practitioner, organisation_id=-1, is_management=False)
    view = project(outsider, child, "mediated")
    fields = [("name", "Name", view.full_name),
              ("dob", "Date of birth", format_date(view.date_of_birth)),
              ("gender", "Gender", view.gender)]
    fields += [(f"id:{label}", label, value) for label, value in view.identifiers]
    if view.whereabouts_withheld:
        fields.append(("shielded", "Where the child is",
                       "Withheld: this record is shielded. The management team can broker "
                       "contact."))
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
                           "broker contact."))
        elif service.current and not service.contact_archived:
            who = ", ".join(v for v in (service.practitioner_name, service.practitioner_role,
                                        service.phone, service.email) if v)
            lead = " (lead professional)" if service.lead_professional else ""
            fields.append((f"service:{service.id}", f"{service.type_label}{lead}",
                           f"{service.service_name}" + (f": {who}" if who else "")))
    return fields
