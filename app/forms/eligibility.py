"""Forms for eligibility: signing the policy, and the administrators' records."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import BooleanField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.forms.fields import DayMonthYearField, not_in_future
from app.models import Role, RoleCategory

CATEGORY_CHOICES = [(c.value, c.label) for c in RoleCategory]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def category_field():
    """The eligible role category."""
    return RadioField("Their job role", widget=GovRadioInput(), choices=CATEGORY_CHOICES,
                      validators=[InputRequired(message="Select the job role")])


def training_field(required=False):
    """When TeamAround training was completed."""
    return DayMonthYearField("TeamAround training completed on", what="The training date",
                             required=required, validators=[not_in_future])


def dbs_field(required=False):
    """The date of the enhanced DBS check."""
    return DayMonthYearField("Enhanced DBS check dated", what="The DBS check date",
                             required=required, validators=[not_in_future])


class PolicyForm(FlaskForm):
    """I have read and agree."""

    agree = BooleanField("I have read the acceptable use policy and I agree to it",
                         widget=GovCheckboxInput(),
                         validators=[DataRequired(message="Tick the box to agree to the policy")])
    submit = SubmitField("Sign the policy", widget=GovSubmitInput())


class EligibilityForm(FlaskForm):
    """An administrator records a user's eligibility."""

    role_category = category_field()
    training = training_field()
    dbs = dbs_field()
    nominate = RadioField("Nominated by the organisation?", widget=GovRadioInput(),
                          choices=[("yes", "Yes: their work needs access to TeamAround"),
                                   ("no", "No: withdraw the nomination")],
                          validators=[InputRequired(message="Select whether they are "
                                                    "nominated")])
    submit = SubmitField("Save", widget=GovSubmitInput())


class RoleForm(FlaskForm):
    """Change what a user may do."""

    role = SelectField("Role", widget=GovSelect(), choices=[(r.value, r.label) for r in Role],
                       validators=[InputRequired()])
    submit = SubmitField("Change role", widget=GovSubmitInput())


class ResetForm(FlaskForm):
    """Why the authenticator app is being reset."""

    reason = TextAreaField("Why are you resetting their authenticator app?", widget=GovTextArea(),
                           filters=[_strip],
                           validators=[DataRequired(message="Give the reason"),
                                       Length(max=500)],
                           description="For example: lost phone, reported by phone call on "
                                       "22 November; identity checked in person")
    submit = SubmitField("Reset the authenticator app", widget=GovSubmitInput())
