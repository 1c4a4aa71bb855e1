"""Forms for mediated access."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.forms.base import Form
from app.forms.fields import DayMonthYearField, not_in_future, strip


def _text(label, message, max_length=200, hint=None):
    return StringField(label, widget=GovTextInput(), filters=[strip], description=hint,
                       validators=[DataRequired(message=message), Length(max=max_length)])


class RequestForm(Form):
    """Who is asking, about whom, and why."""

    requester_name = _text("Your full name", "Enter your full name")
    requester_organisation = _text("Your organisation", "Enter your organisation")
    requester_role = _text("Your role", "Enter your role", 100,
                           "For example school nurse, youth worker")
    requester_contact = _text("How can the answer reach you?", "Enter a phone number or "
                              "email address", 300, "A phone number or email address at work")
    addressed_to = SelectField("Which organisation are you asking?", widget=GovSelect(),
                               coerce=int, validators=[InputRequired(message="Choose the "
                                                                   "organisation to ask")])
    child_given_names = _text("Child's given names", "Enter the child's given names")
    child_family_name = _text("Child's family name", "Enter the child's family name")
    child_date_of_birth = DayMonthYearField("Child's date of birth (if you know it)",
                                            what="The date of birth", required=False,
                                            validators=[not_in_future])
    child_other_details = TextAreaField("Anything else that helps identify the child",
                                        widget=GovTextArea(), filters=[strip],
                                        validators=[Optional(), Length(max=500)],
                                        description="For example a previous address or school")
    reason = TextAreaField("Why do you need to know?", widget=GovTextArea(), filters=[strip],
                           validators=[DataRequired(message="Say why you need to know"),
                                       Length(max=1000)])
    urgency = RadioField("How urgent is it?", widget=GovRadioInput(),
                         choices=[("routine", "Routine"),
                                  ("urgent", "Urgent: a child may be at risk today")],
                         validators=[InputRequired(message="Select how urgent it is")])
    submit = SubmitField("Send the request", widget=GovSubmitInput())

    VALUES = ("requester_name", "requester_organisation", "requester_role",
              "requester_contact", "child_given_names", "child_family_name",
              "child_date_of_birth", "child_other_details", "reason")

    @classmethod
    def for_user(cls, user, organisations: list[tuple[int, str]]) -> RequestForm:
        """The form, with the organisations to ask; a requester's own details filled in."""
        form = cls()
        form.addressed_to.choices = organisations
        if user.role.value == "requester" and not form.is_submitted():
            form.requester_name.data = user.name
            form.requester_organisation.data = user.organisation.name
            form.requester_contact.data = user.email
        return form

    def values(self) -> dict:
        """What the request records."""
        return {**{name: self[name].data or None for name in self.VALUES},
                "addressed_to_id": self.addressed_to.data,
                "urgent": self.urgency.data == "urgent"}


class DeclineForm(Form):
    """Why the request is declined."""

    reason = TextAreaField("Why are you declining?", widget=GovTextArea(), filters=[strip],
                           validators=[DataRequired(message="Give the reason for declining"),
                                       Length(max=1000)],
                           description="The requester sees this")
    submit = SubmitField("Decline the request", widget=GovSubmitInput())
