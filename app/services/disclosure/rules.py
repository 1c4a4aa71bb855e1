"""The policy's questions about a viewer and a child: may they open it, is it shielded from
them, are they involved, may they change it. Every projection asks these and only these."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Protocol

from app.core.clock import now
from app.models import Child, ChildStatus, Involvement, Role, Scheme


class Looker(Protocol):
    """What the policy needs to know of whoever is looking (a User, or a Viewer)."""

    role: Role
    organisation_id: int | None

    @property
    def is_management(self) -> bool:
        """True for the host organisation's administrators."""


@dataclass(frozen=True)
class Viewer:
    """Someone the policy decides for who is not a signed-in user, such as the outside
    practitioner a mediated answer is written for."""

    role: Role
    organisation_id: int | None
    is_management: bool = False

    @classmethod
    def outsider(cls) -> Viewer:
        """A practitioner of an organisation that does not work with the child."""
        return cls(role=Role.practitioner, organisation_id=None)


def involved_organisation_ids(child: Child) -> set[int]:
    """Organisations working with the child now. The organisation that created the record
    counts too, but only while no involvement at all is recorded (so that a record saved
    without services is not orphaned); once it ends its involvements, its access ends."""
    today = now().date()
    ids = {i.organisation_id for i in child.involvements if i.is_current(today)}
    if not child.involvements:
        ids.add(child.created_by_organisation_id)
    return ids


def is_involved(viewer: Looker, child: Child) -> bool:
    """True if the viewer's organisation works with the child."""
    return viewer.organisation_id in involved_organisation_ids(child)


def may_open(viewer: Looker, child: Child) -> bool:
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


def hides_whereabouts(viewer: Looker, child: Child) -> bool:
    """A shield withholds everything but name, date of birth, gender and identifiers from
    everyone outside the management team."""
    return child.shielded and not viewer.is_management


def may_edit(viewer: Looker, child: Child) -> bool:
    """Basic details and carers: management, or practitioners and data entry of an
    organisation working with the child (not while a shield withholds them)."""
    if not may_open(viewer, child) or hides_whereabouts(viewer, child):
        return False
    return viewer.is_management or (
        viewer.role in (Role.practitioner, Role.data_entry) and is_involved(viewer, child))


def may_see_nhs_number(viewer: Looker, child: Child) -> bool:
    """The NHS number goes only to those who need it: the management team and the staff of
    organisations working with the child (to match their own records)."""
    return viewer.is_management or is_involved(viewer, child)


def may_see_identifier(viewer: Looker, child: Child, identifier) -> bool:
    """The NHS number as may_see_nhs_number says; a local reference only within the
    organisation that recorded it, and the management team; the rest to anyone who may
    open the record."""
    if identifier.scheme == Scheme.nhs:
        return may_see_nhs_number(viewer, child)
    if identifier.scheme == Scheme.local:
        return viewer.is_management or identifier.organisation_id == viewer.organisation_id
    return True


def may_change_involvement(viewer: Looker, involvement: Involvement) -> bool:
    """An organisation changes and ends only its own involvements."""
    if viewer.organisation_id != involvement.organisation_id:
        return False
    if involvement.contact_archived_at is not None:  # retention has taken it
        return False
    return viewer.role in (Role.practitioner, Role.data_entry) or viewer.is_management


def may_read_audit(viewer: Looker) -> bool:
    """The audit trail names children and who looked at them, shielded ones too: the
    management team only (everyone sees their own history, which names no one else)."""
    return viewer.is_management


def basis_digest(child: Child, merged: list[int] | tuple[int, ...] = ()) -> str:
    """A digest of the facts this policy's decisions about the child rest on: which record
    holds them and which records were merged into it, the shield, and the sensitive
    services (with their consent and organisation). A document kept for later delivery
    stores it when made; if it differs at delivery, the document was built on facts that
    no longer hold and must be withdrawn."""
    sensitive = sorted([i.id, i.service_type.value, i.organisation_id, i.consent_given_by,
                        i.consent_relationship, str(i.consent_date)]
                       for i in child.involvements if i.is_sensitive)
    facts = {"record": child.id, "merged": sorted(merged), "shielded": bool(child.shielded),
             "merged_into": child.merged_into_id, "sensitive": sensitive}
    encoded = json.dumps(facts, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()
