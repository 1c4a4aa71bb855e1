"""FlaskForms (CSRF on every POST) rendered with the GOV.UK Frontend widgets: one module per
area, named as its blueprint; shared fields in fields.py."""

from app.forms.base import Form


class EmptyForm(Form):
    """A form with only the CSRF token, for POST buttons."""


__all__ = ["EmptyForm"]
