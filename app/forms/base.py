"""The base of every form: each text field passes through app/core/text.py on its way in,
so no form can let a NUL, a control character, a direction override or unreadable text
into the database, and every name is kept in one Unicode form (NFC)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import ValidationError

from app.core.text import BadText, clean


def _checked(field_label: str, multiline: bool):
    def check(form, field):
        if isinstance(field.data, str):
            try:
                field.data = clean(field.data, multiline=multiline)
            except BadText as problem:
                raise ValidationError(f"{field_label} {problem}") from None
    return check


class Form(FlaskForm):
    """A FlaskForm whose text fields are cleaned and checked first (passwords excepted:
    they are never stored, only hashed, exactly as typed)."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            kind = unbound_field.field_class
            if issubclass(kind, StringField) and not issubclass(kind, PasswordField):
                label = unbound_field.args[0] if unbound_field.args else "This answer"
                check = _checked(str(label), multiline=issubclass(kind, TextAreaField))
                validators = unbound_field.kwargs.get("validators") or []
                options = {**options, "validators": [check, *validators]}
            return unbound_field.bind(form=form, **options)
