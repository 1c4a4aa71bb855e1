"""Signing the acceptable use policy."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSubmitInput,
)
from wtforms import (
    BooleanField,
    SubmitField,
)
from wtforms.validators import DataRequired

from app.forms.base import Form


class PolicyForm(Form):
    """I have read and agree."""

    agree = BooleanField("I have read the acceptable use policy and I agree to it",
                         widget=GovCheckboxInput(),
                         validators=[DataRequired(message="Tick the box to agree to the policy")])
    submit = SubmitField("Sign the policy", widget=GovSubmitInput())
