"""Forms for subject access requests: intake, checks, extension."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import BooleanField, RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.forms.fields import (
    DayMonthYearField,
    child_reference,
    not_in_future,
    requester_name_field,
    strip,
)
from app.services.subject_access import CHANNELS, RELATIONSHIPS


class IntakeForm(FlaskForm):
    """A request as received."""

    child = child_reference()
    requester_name = requester_name_field()
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


class ChecksForm(FlaskForm):
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


class ExtensionForm(FlaskForm):
    """Why the request is complex enough to extend."""

    reason = TextAreaField("Why is this request complex?", widget=GovTextArea(),
                           filters=[strip], validators=[DataRequired(message="Give the "
                                                         "reason"), Length(max=1000)])
    submit = SubmitField("Extend by two months", widget=GovSubmitInput())
