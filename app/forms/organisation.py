"""An organisation's own details: where it is, and its data protection officer."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Email, Length, Optional


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class OrganisationForm(FlaskForm):
    """Postal address, phone and email; for the host, the data protection officer."""

    address = TextAreaField("Postal address", widget=GovTextArea(), filters=[_strip],
                            validators=[Optional(), Length(max=500, message="Postal address "
                                                           "must be 500 characters or fewer")])
    phone = StringField("Phone", widget=GovTextInput(), filters=[_strip],
                        validators=[Optional(), Length(max=40, message="Phone must be 40 "
                                                       "characters or fewer")])
    email = StringField("Email address", widget=GovTextInput(), filters=[_strip],
                        validators=[Optional(), Length(max=254), Email(
                            message="Enter an email address in the correct format, like "
                                    "name@example.com", check_deliverability=False)])
    dpo_name = StringField("Name of your data protection officer", widget=GovTextInput(),
                           filters=[_strip], validators=[Optional(), Length(max=200)])
    dpo_contact = TextAreaField("How to contact them", widget=GovTextArea(), filters=[_strip],
                                description="A postal address, and an email address or phone "
                                            "number. Subject access reports print this.",
                                validators=[Optional(), Length(max=500, message="This must be "
                                                               "500 characters or fewer")])
    submit = SubmitField("Save", widget=GovSubmitInput())

    FIELDS = ("address", "phone", "email", "dpo_name", "dpo_contact")
