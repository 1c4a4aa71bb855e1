"""Forms for subject access requests."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms.fields import DayMonthYearField, not_in_future
from app.services.subject_access import CHANNELS, RELATIONSHIPS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def child_reference():
    """The child's TeamAround reference (the number shown on the record)."""
    return IntegerField("TeamAround reference of the child", widget=GovTextInput(),
                        validators=[InputRequired(message="Enter the child's TeamAround "
                                                  "reference"),
                                    NumberRange(min=1, max=2**63 - 1, message="Enter a "
                                                "reference, like 1042")])


def requester_name_field():
    """Who is asking."""
    return StringField("Who is asking", widget=GovTextInput(), filters=[_strip],
                       validators=[DataRequired(message="Enter who is asking"),
                                   Length(max=200)])


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
                             filters=[_strip], validators=[DataRequired(message="Say what was "
                                                           "seen"), Length(max=400)])
    responsibility = TextAreaField("What shows parental responsibility (if they are not the "
                                   "young person)?", widget=GovTextArea(), filters=[_strip],
                                   validators=[Optional(), Length(max=400)])
    id_received_on = DayMonthYearField("ID received on (if it was needed)",
                                       what="The date the ID arrived", required=False,
                                       validators=[not_in_future])
    submit = SubmitField("Record the checks", widget=GovSubmitInput())


class ExtensionForm(FlaskForm):
    """Why the request is complex enough to extend."""

    reason = TextAreaField("Why is this request complex?", widget=GovTextArea(),
                           filters=[_strip], validators=[DataRequired(message="Give the "
                                                         "reason"), Length(max=1000)])
    submit = SubmitField("Extend by two months", widget=GovSubmitInput())


class PassphraseForm(FlaskForm):
    """The passphrase sent separately."""

    passphrase = StringField("Passphrase", widget=GovTextInput(), filters=[_strip],
                             validators=[DataRequired(message="Enter the passphrase"),
                                         Length(max=40)],
                             description="We sent it to you separately, for example by "
                                         "phone or letter. It looks like 1234-5678-9012")
    submit = SubmitField("Download", widget=GovSubmitInput())


class CorrectionForm(FlaskForm):
    """A request to correct the record."""

    child = child_reference()
    requester_name = requester_name_field()
    received_on = DayMonthYearField("Received on", what="The date received",
                                    validators=[not_in_future])
    what_is_wrong = TextAreaField("What do they say is wrong, and what should it say?",
                                  widget=GovTextArea(), filters=[_strip],
                                  validators=[DataRequired(message="Say what is wrong"),
                                              Length(max=1000)])
    submit = SubmitField("Log the correction request", widget=GovSubmitInput())


class DecisionForm(FlaskForm):
    """Accept or refuse a correction request."""

    decision = RadioField("Decision", widget=GovRadioInput(),
                          choices=[("accept", "Accept: the record has been corrected"),
                                   ("refuse", "Refuse")],
                          validators=[InputRequired(message="Select accept or refuse")])
    detail = TextAreaField("What was changed, or why it is refused", widget=GovTextArea(),
                           filters=[_strip], validators=[DataRequired(message="Say what was "
                                                         "changed, or why it is refused"),
                                                         Length(max=1000)],
                           description="The requester's letter quotes this")
    submit = SubmitField("Record the decision", widget=GovSubmitInput())
