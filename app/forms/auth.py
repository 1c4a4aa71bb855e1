"""FlaskForms (CSRF on every POST) rendered with the GOV.UK Frontend widgets."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length

from app.forms.eligibility import category_field, dbs_field, training_field
from app.models import OrganisationKind, Role
from app.services.passwords import MAX_LENGTH

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"


def _email(label_missing: str = "Enter your email address"):
    return StringField("Email address", widget=GovTextInput(), validators=[
        DataRequired(message=label_missing), Length(max=254, message="Email address must be "
                                                    "254 characters or fewer"),
        Email(message=EMAIL_FORMAT, check_deliverability=False)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons."""


class SignInForm(FlaskForm):
    """First sign-in step: email and password."""

    email = _email()
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[DataRequired(message="Enter your password")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class CodeForm(FlaskForm):
    """A one-time code: TOTP, or (at sign-in) a recovery code."""

    code = StringField("Code", widget=GovTextInput(), validators=[
        DataRequired(message="Enter the code from your authenticator app"),
        Length(max=20, message="The code is too long: check it and try again")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class NewPasswordForm(FlaskForm):
    """Choose a password (policy checked in the view, which knows the organisation)."""

    password = PasswordField("Create a password", widget=GovPasswordInput(), validators=[
        DataRequired(message="Enter a password"),
        Length(max=MAX_LENGTH, message=f"Your password must be {MAX_LENGTH} characters or fewer")])
    confirm = PasswordField("Confirm your password", widget=GovPasswordInput(), validators=[
        DataRequired(message="Confirm your password"),
        EqualTo("password", message="The passwords do not match")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ChangePasswordForm(NewPasswordForm):
    """Change password: the current one first."""

    current = PasswordField("Current password", widget=GovPasswordInput(),
                            validators=[DataRequired(message="Enter your current password")])


class ReenrolForm(FlaskForm):
    """Password, then the first code of the new authenticator app."""

    password = PasswordField("Your password", widget=GovPasswordInput(),
                             validators=[DataRequired(message="Enter your password")])
    code = StringField("Code", widget=GovTextInput(), validators=[
        DataRequired(message="Enter the code from your authenticator app"),
        Length(max=20, message="The code is too long: check it and try again")])
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class ConfirmPasswordForm(FlaskForm):
    """Re-authenticate before a sensitive change."""

    current = PasswordField("Current password", widget=GovPasswordInput(),
                            validators=[DataRequired(message="Enter your current password")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


KIND_CHOICES = [(kind.value, kind.label) for kind in OrganisationKind]
ROLE_CHOICES = [(role.value, role.label) for role in Role]


class SetupForm(FlaskForm):
    """First run: the host organisation and its first administrator."""

    organisation_name = StringField("Name of your organisation", widget=GovTextInput(),
                                    validators=[DataRequired(message="Enter the name of your "
                                                             "organisation"), Length(max=200)])
    kind = RadioField("What kind of organisation is it?", widget=GovRadioInput(),
                      choices=KIND_CHOICES,
                      validators=[InputRequired(message="Select the kind of organisation")])
    name = StringField("Your full name", widget=GovTextInput(), validators=[
        DataRequired(message="Enter your full name"), Length(max=200)])
    email = _email()
    role_category = category_field()
    training = training_field(required=True)
    dbs = dbs_field(required=True)
    submit = SubmitField("Continue", widget=GovSubmitInput())


class InviteForm(FlaskForm):
    """Invite a person to enrol."""

    name = StringField("Full name", widget=GovTextInput(), validators=[
        DataRequired(message="Enter their full name"), Length(max=200)])
    email = _email("Enter their email address")
    role = RadioField("Role", widget=GovRadioInput(), choices=ROLE_CHOICES,
                      validators=[InputRequired(message="Select a role")])
    organisation = SelectField("Organisation", widget=GovSelect(), coerce=int,
                               validators=[InputRequired(message="Select an organisation")])
    role_category = category_field()
    training = training_field()
    dbs = dbs_field()
    submit = SubmitField("Create invitation", widget=GovSubmitInput())
