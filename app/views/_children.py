"""Helpers shared by the child-record blueprints: who may enter children, form <-> dict."""

from __future__ import annotations

from datetime import date

from flask import abort, url_for
from flask_login import current_user

from app.models import Role

DETAIL_FIELDS = ("given_names", "family_name", "other_names", "gender", "date_of_birth",
                 "address_line1", "address_line2", "town", "postcode")
IDENTIFIER_FIELDS = ("nhs", "upn", "uln", "local")
CARER_FIELDS = ("name", "relationship", "parental_responsibility", "address", "phone", "email")
SERVICE_FIELDS = ("service_type", "service_name", "practitioner_name", "practitioner_role",
                  "phone", "email", "address", "start_date", "lead_professional",
                  "caf_completed", "consent_given_by", "consent_relationship", "consent_date")


def require_child_staff() -> None:
    """Data entry, practitioners and the management team work on children's records."""
    if not (current_user.role in (Role.data_entry, Role.practitioner)
            or current_user.is_management):
        abort(403)


def form_values(form, names) -> dict:
    """The named fields' data, dates as ISO strings, ready to store in a draft."""
    values = {}
    for name in names:
        value = form[name].data
        values[name] = value.isoformat() if isinstance(value, date) else value
    return values


def fill_form(form, values: dict) -> None:
    """Put stored values back into a form (dates parsed again)."""
    for name, value in values.items():
        if name not in form._fields:
            continue
        field = form[name]
        if isinstance(value, str) and field.type == "DayMonthYearField" and value:
            value = date.fromisoformat(value)
        field.data = value


def live_params(form_name: str, field_name: str) -> dict:
    """GOV.UK macro params that make a field check itself with htmx as it is typed.

    The answer goes into a polite live region after the field rather than replacing the
    field, so nothing the user is still typing can be overwritten.
    """
    return {"attributes": {
        "hx-post": url_for("children.validate_field", form_name=form_name, field=field_name),
        "hx-trigger": "change, keyup changed delay:700ms",
        "hx-target": f"#{field_name}-live",
        "hx-swap": "innerHTML",
        "hx-sync": "this:replace",
    }}
