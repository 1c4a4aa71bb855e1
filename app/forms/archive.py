"""The form that opens an archived record, for its limited reasons only."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.forms.base import Form
from app.forms.fields import strip

ARCHIVE_REASONS = {"serious_case_review": "Serious case review (child safeguarding practice "
                                          "review)",
                   "child_death_review": "Child death review",
                   "legal_obligation": "A legal obligation (for example a court order)"}


class ArchiveReasonForm(Form):
    """The limited reasons for opening an archived record."""

    reason = RadioField("Why do you need this archived record?", widget=GovRadioInput(),
                        choices=list(ARCHIVE_REASONS.items()),
                        validators=[InputRequired(message="Select why you need the record")])
    detail = TextAreaField("Reference or details", widget=GovTextArea(), filters=[strip],
                           validators=[DataRequired(message="Give the review or order "
                                                    "reference"), Length(max=500)])
    submit = SubmitField("Open the archived record", widget=GovSubmitInput())
