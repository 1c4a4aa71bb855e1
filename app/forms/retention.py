"""Forms for what retention needs recorded, and for opening the archive."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.forms.fields import DayMonthYearField, not_in_future

ARCHIVE_REASONS = {"serious_case_review": "Serious case review (child safeguarding practice "
                                          "review)",
                   "child_death_review": "Child death review",
                   "legal_obligation": "A legal obligation (for example a court order)"}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RetentionForm(FlaskForm):
    """Death, leaving England, and consent to stay past 18."""

    date_of_death = DayMonthYearField("Date of death (if the child has died)",
                                      what="The date of death", required=False,
                                      validators=[not_in_future])
    left_england_on = DayMonthYearField("Left England, not returning within 3 years, on",
                                        what="The date they left", required=False,
                                        validators=[not_in_future])
    stay_until = DayMonthYearField("Consent to stay after 18, until",
                                   what="The date consent runs to", required=False)
    stay_consent = TextAreaField("The consent: who gave it, when, and why", widget=GovTextArea(),
                                 filters=[_strip], validators=[Length(max=400)],
                                 description="For example: the young person, 3 May 2026, "
                                             "care leaver")
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_stay_consent(self, field):
        """Consent to stay must say who, when and why."""
        if self.stay_until.data and not field.data:
            raise ValidationError("Record who gave consent to stay, when, and why")


class ArchiveReasonForm(FlaskForm):
    """The limited reasons for opening an archived record."""

    reason = RadioField("Why do you need this archived record?", widget=GovRadioInput(),
                        choices=list(ARCHIVE_REASONS.items()),
                        validators=[InputRequired(message="Select why you need the record")])
    detail = TextAreaField("Reference or details", widget=GovTextArea(), filters=[_strip],
                           validators=[DataRequired(message="Give the review or order "
                                                    "reference"), Length(max=500)])
    submit = SubmitField("Open the archived record", widget=GovSubmitInput())
