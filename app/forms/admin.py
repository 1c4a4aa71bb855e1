"""Administration: invitations, a user's eligibility and role, resets, and the
organisation's own details."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from app.forms.base import Form
from app.forms.fields import (
    category_field,
    dbs_field,
    email_field,
    strip,
    training_field,
)
from app.models import Role

ROLE_CHOICES = [(role.value, role.label) for role in Role]


class PersonForm(Form):
    """Who a new user is: the rules an invitation and the operator's `users create` share."""

    name = StringField("Full name", widget=GovTextInput(), validators=[
        DataRequired(message="Enter their full name"),
        Length(max=200, message="Full name must be 200 characters or fewer")])
    email = email_field("Enter their email address")
    role = RadioField("Role", widget=GovRadioInput(), choices=ROLE_CHOICES,
                      validators=[InputRequired(message="Select a role")])


class OperatorUserForm(PersonForm):
    """`flask users create`: the person, and their organisation by name."""

    organisation_name = StringField("Organisation name", validators=[
        DataRequired(message="Enter the organisation's name"),
        Length(max=200, message="Organisation name must be 200 characters or fewer")])


class InviteForm(PersonForm):
    """Invite a person to enrol."""

    organisation = SelectField("Organisation", widget=GovSelect(), coerce=int,
                               validators=[InputRequired(message="Select an organisation")])
    role_category = category_field()
    training = training_field()
    dbs = dbs_field()
    submit = SubmitField("Create invitation", widget=GovSubmitInput())

    def offer(self, organisations: list[tuple[int, str]]) -> None:
        """The organisations this administrator may invite into (chosen when only one)."""
        self.organisation.choices = organisations
        if len(organisations) == 1 and not self.is_submitted():
            self.organisation.data = organisations[0][0]


class EligibilityForm(Form):
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

    @classmethod
    def of(cls, user) -> EligibilityForm:
        """The form filled in with what is recorded for the user."""
        return cls(prefix="e", role_category=user.role_category.value
                   if user.role_category else None, training=user.training_completed_on,
                   dbs=user.dbs_checked_on, nominate="yes" if user.nominated_at else "no")


class RoleForm(Form):
    """Change what a user may do."""

    role = SelectField("Role", widget=GovSelect(), choices=[(r.value, r.label) for r in Role],
                       validators=[InputRequired()])
    submit = SubmitField("Change role", widget=GovSubmitInput())

    @classmethod
    def of(cls, user) -> RoleForm:
        """The form showing the user's role."""
        return cls(prefix="r", role=user.role.value)


class ResetForm(Form):
    """Why the authenticator app is being reset."""

    reason = TextAreaField("Why are you resetting their authenticator app?", widget=GovTextArea(),
                           filters=[strip],
                           validators=[DataRequired(message="Give the reason"),
                                       Length(max=500)],
                           description="For example: lost phone, reported by phone call on "
                                       "22 November; identity checked in person")
    submit = SubmitField("Reset the authenticator app", widget=GovSubmitInput())


class OrganisationForm(Form):
    """Postal address, phone and email; for the host, the data protection officer."""

    address = TextAreaField("Postal address", widget=GovTextArea(), filters=[strip],
                            validators=[Optional(), Length(max=500, message="Postal address "
                                                           "must be 500 characters or fewer")])
    phone = StringField("Phone", widget=GovTextInput(), filters=[strip],
                        validators=[Optional(), Length(max=40, message="Phone must be 40 "
                                                       "characters or fewer")])
    email = StringField("Email address", widget=GovTextInput(), filters=[strip],
                        validators=[Optional(), Length(max=254), Email(
                            message="Enter an email address in the correct format, like "
                                    "name@example.com", check_deliverability=False)])
    dpo_name = StringField("Name of your data protection officer", widget=GovTextInput(),
                           filters=[strip], validators=[Optional(), Length(max=200)])
    dpo_contact = TextAreaField("How to contact them", widget=GovTextArea(), filters=[strip],
                                description="A postal address, and an email address or phone "
                                            "number. Subject access reports print this.",
                                validators=[Optional(), Length(max=500, message="This must be "
                                                               "500 characters or fewer")])
    submit = SubmitField("Save", widget=GovSubmitInput())

    FIELDS = ("address", "phone", "email", "dpo_name", "dpo_contact")
