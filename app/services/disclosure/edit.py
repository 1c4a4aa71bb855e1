"""Edit forms: the values a viewer may see in the form that corrects them, or None when
they may not correct them at all. No form is ever filled from the model directly."""

from __future__ import annotations

from app.models import Child, Involvement, User
from app.services.disclosure.purposes import Purpose
from app.services.disclosure.record import project
from app.services.disclosure.rules import may_change_involvement, may_edit, may_see_identifier


def details_for_edit(viewer: User, child: Child) -> dict | None:
    """The basic details, for those who may correct them; else None."""
    if not may_edit(viewer, child):
        return None
    view = project(viewer, child, Purpose.edit_form)
    return {"given_names": view.given_names, "family_name": view.family_name,
            "other_names": view.other_names, "gender": child.gender.value,
            "date_of_birth": view.date_of_birth, **view.address_fields}


def identifiers_for_edit(viewer: User, child: Child) -> dict | None:
    """The identifiers this viewer may see, for those who may correct them; else None."""
    if not may_edit(viewer, child):
        return None
    return {i.scheme.value: i.value for i in child.identifiers
            if may_see_identifier(viewer, child, i)}


def carer_for_edit(viewer: User, child: Child, carer_id: int) -> dict | None:
    """A carer's fields, for those who may correct the record; else None."""
    carer = next((c for c in child.carers if c.id == carer_id), None)
    if carer is None or not may_edit(viewer, child):  # may_edit is False behind a shield
        return None
    return {"name": carer.name, "relationship": carer.relationship_to_child,
            "parental_responsibility": "yes" if carer.parental_responsibility else "no",
            "address": carer.address, "phone": carer.phone, "email": carer.email}


def involvement_for_edit(viewer: User, involvement: Involvement) -> dict | None:
    """All fields of an involvement, for its own organisation to correct; else None."""
    if not may_change_involvement(viewer, involvement):
        return None
    names = ("service_name", "practitioner_name", "practitioner_role", "phone", "email",
             "address", "start_date", "lead_professional", "caf_completed",
             "consent_given_by", "consent_relationship", "consent_date")
    return {"service_type": involvement.service_type.value,
            **{name: getattr(involvement, name) for name in names}}


def retention_for_edit(viewer: User, child: Child) -> dict | None:
    """Death, leaving England and consent to stay, for those who may record them."""
    if not (viewer.is_management or may_edit(viewer, child)):
        return None
    return {"date_of_death": child.date_of_death, "left_england_on": child.left_england_on,
            "stay_until": child.stay_until, "stay_consent": child.stay_consent}
