"""See a record as someone else would: the management team picks a role and an
organisation and sees the record page and the list row exactly as that viewer would, made
by the same projections (disclosure, purpose "preview": read only). Each preview is
audited with its reason and whom it stood in for. It lets a data protection officer check
the policy, not take it on trust."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.errors import NotAllowed, NotFound
from app.extensions import db
from app.models import Child, Organisation, Role, User
from app.services import audit, disclosure
from app.services.transaction import atomic

ROLES = {Role.practitioner: "a practitioner", Role.data_entry: "data entry staff",
         Role.admin: "an administrator", Role.requester: "someone asking for a look-up"}


@dataclass
class Preview:
    """What the chosen viewer would see: the record page (None: they could not open it)
    and the row a list of theirs would show (None: no list of theirs holds the child)."""

    role: Role
    organisation: Organisation
    view: disclosure.ChildView | None
    row: disclosure.RowView | None
    listed_in: str

    @property
    def who(self) -> str:
        """Plain words for the viewer stood in for."""
        return f"{ROLES[self.role]} at {self.organisation.name}"


def viewer_for(role: Role, organisation: Organisation) -> disclosure.Viewer:
    """The viewer a role in an organisation is (the host's administrators are the
    management team)."""
    return disclosure.Viewer(role=role, organisation_id=organisation.id,
                             is_management=role == Role.admin and organisation.is_host)


def _row(viewer: disclosure.Viewer, child: Child) -> tuple[disclosure.RowView | None, str]:
    if viewer.is_management or viewer.role == Role.practitioner:
        return disclosure.project_row(viewer, child), "search results"
    if viewer.role == Role.data_entry and disclosure.is_involved(viewer, child):
        return disclosure.project_row(viewer, child), "their organisation's list"
    return None, ""


@atomic
def preview(user: User, child: Child, role: Role, organisation_id: int,
            reason_category: str) -> Preview:
    """The record as the chosen viewer would see it (management team only; audited)."""
    if not user.is_management:
        raise NotAllowed()
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or role not in ROLES:
        raise NotFound()
    viewer = viewer_for(role, organisation)
    view = (disclosure.project(viewer, child, disclosure.Purpose.preview)
            if disclosure.may_open(viewer, child) else None)
    row, listed_in = _row(viewer, child)
    audit.record("child.previewed", child_id=child.id, shielded=child.shielded,
                 reason_category=reason_category,
                 detail={"as_role": role.value, "as_organisation": organisation.id})
    return Preview(role, organisation, view, row, listed_in)
