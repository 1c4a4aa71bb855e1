"""Forms for subject access requests: intake, checks, extension."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from app.forms.base import Form
from app.forms.fields import (
    DayMonthYearField,
    child_reference,
    not_in_future,
    requester_name_field,
    strip,
)
from app.services.subject_access import CHANNELS, RELATIONSHIPS


class IntakeForm(Form):
    """A request as received."""

    child = child_reference()
    requester_name = requester_name_field()
    requester_address = TextAreaField(
        "Their postal address (optional)", widget=GovTextArea(), filters=[strip],
        description="Needed if the report is to be posted: it is printed on the letter",
        validators=[Optional(), Length(max=400)])
    requester_email = StringField(
        "Their email address (optional)", widget=GovTextInput(), filters=[strip],
        description="If the report is released by a secure link, the link is emailed here",
        validators=[Optional(), Length(max=254), Email(
            message="Enter an email address in the correct format, like name@example.com",
            check_deliverability=False)])
    requester_relationship = RadioField("Their relationship to the child",
                                        widget=GovRadioInput(),
                                        choices=list(RELATIONSHIPS.items()),
                                        validators=[InputRequired(message="Select their "
                                                                  "relationship")])
    channel = RadioField("How did the request arrive?", widget=GovRadioInput(),
                         choices=list(CHANNELS.items()),
                         validators=[InputRequired(message="Select how it arrived")])
    received_on = DayMonthYearField("Received on", what="The date received",
                                    validators=[not_in_future])
    id_needed = BooleanField("We need proof of identity before we start",
                             widget=GovCheckboxInput(),
                             description="The clock then starts when the ID arrives")
    submit = SubmitField("Log the request", widget=GovSubmitInput())


class ChecksForm(Form):
    """What was seen, by whom (you), when (today)."""

    identity = TextAreaField("What did you see to check their identity?", widget=GovTextArea(),
                             filters=[strip], validators=[DataRequired(message="Say what was "
                                                           "seen"), Length(max=400)])
    responsibility = TextAreaField("What shows parental responsibility (if they are not the "
                                   "young person)?", widget=GovTextArea(), filters=[strip],
                                   validators=[Optional(), Length(max=400)])
    id_received_on = DayMonthYearField("ID received on (if it was needed)",
                                       what="The date the ID arrived", required=False,
                                       validators=[not_in_future])
    submit = SubmitField("Record the checks", widget=GovSubmitInput())


class ExtensionForm(Form):
    """Why the request is complex enough to extend."""

    reason = TextAreaField("Why is this request complex?", widget=GovTextArea(),
                           filters=[strip], validators=[DataRequired(message="Give the "
                                                         "reason"), Length(max=1000)])
    submit = SubmitField("Extend by two months", widget=GovSubmitInput())


class RequesterEntryForm(Form):
    """Which parent or carer on the record the requester is (their own data is theirs)."""

    carer = SelectField("Their own entry on the record", widget=GovSelect(),
                        description="Their own details are never withheld from them. Check "
                                    "this against the identity you saw.")
    submit = SubmitField("Save", widget=GovSubmitInput())

    def offer(self, carers: list[tuple[int, str]], current: int | None) -> None:
        """The choices: each parent or carer, or none of them."""
        self.carer.choices = [("", "None of them")] + [(str(i), n) for i, n in carers]
        if not self.is_submitted():
            self.carer.data = str(current) if current else ""

    @property
    def carer_id(self) -> int | None:
        """The chosen entry, or None."""
        return int(self.carer.data) if self.carer.data else None
