"""Forms for correction requests: logging one, and the decision."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.forms.base import Form
from app.forms.fields import (
    DayMonthYearField,
    child_reference,
    not_in_future,
    requester_name_field,
    strip,
)


class CorrectionForm(Form):
    """A request to correct the record."""

    child = child_reference()
    requester_name = requester_name_field()
    received_on = DayMonthYearField("Received on", what="The date received",
                                    validators=[not_in_future])
    what_is_wrong = TextAreaField("What do they say is wrong, and what should it say?",
                                  widget=GovTextArea(), filters=[strip],
                                  validators=[DataRequired(message="Say what is wrong"),
                                              Length(max=1000)])
    submit = SubmitField("Log the correction request", widget=GovSubmitInput())


class DecisionForm(Form):
    """Accept or refuse a correction request."""

    decision = RadioField("Decision", widget=GovRadioInput(),
                          choices=[("accept", "Accept: the record has been corrected"),
                                   ("refuse", "Refuse")],
                          validators=[InputRequired(message="Select accept or refuse")])
    detail = TextAreaField("What was changed, or why it is refused", widget=GovTextArea(),
                           filters=[strip], validators=[DataRequired(message="Say what was "
                                                         "changed, or why it is refused"),
                                                         Length(max=1000)],
                           description="The requester's letter quotes this")
    submit = SubmitField("Record the decision", widget=GovSubmitInput())
