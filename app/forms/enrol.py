"""First-run setup and enrolment: the host organisation, a password, the authenticator."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    PasswordField,
    RadioField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from app.forms.base import Form
from app.forms.fields import (
    category_field,
    dbs_field,
    email_field,
    training_field,
)
from app.models import OrganisationKind
from app.services.passwords import MAX_LENGTH


class NewPasswordForm(Form):
    """Choose a password (policy checked in the view, which knows the organisation)."""

    password = PasswordField("Create a password", widget=GovPasswordInput(), validators=[
        DataRequired(message="Enter a password"),
        Length(max=MAX_LENGTH, message=f"Your password must be {MAX_LENGTH} characters or fewer")])
    confirm = PasswordField("Confirm your password", widget=GovPasswordInput(), validators=[
        DataRequired(message="Confirm your password"),
        EqualTo("password", message="The passwords do not match")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ReenrolForm(Form):
    """Password, then the first code of the new authenticator app."""

    password = PasswordField("Your password", widget=GovPasswordInput(),
                             validators=[DataRequired(message="Enter your password")])
    code = StringField("Code", widget=GovTextInput(), validators=[
        DataRequired(message="Enter the code from your authenticator app"),
        Length(max=20, message="The code is too long: check it and try again")])
    submit = SubmitField("Confirm", widget=GovSubmitInput())


KIND_CHOICES = [(kind.value, kind.label) for kind in OrganisationKind]


class SetupForm(Form):
    """First run: the host organisation and its first administrator."""

    organisation_name = StringField("Name of your organisation", widget=GovTextInput(),
                                    validators=[DataRequired(message="Enter the name of your "
                                                             "organisation"), Length(max=200)])
    kind = RadioField("What kind of organisation is it?", widget=GovRadioInput(),
                      choices=KIND_CHOICES,
                      validators=[InputRequired(message="Select the kind of organisation")])
    name = StringField("Your full name", widget=GovTextInput(), validators=[
        DataRequired(message="Enter your full name"), Length(max=200)])
    email = email_field()
    role_category = category_field()
    training = training_field(required=True)
    dbs = dbs_field(required=True)
    submit = SubmitField("Continue", widget=GovSubmitInput())
