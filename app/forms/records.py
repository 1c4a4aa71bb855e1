"""Forms of a child's record pages: the reason asked first, merging, ending an
involvement, shielding, asking for brokered contact, retention facts, the preview."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)

from app import MAX_ID
from app.forms.base import Form
from app.forms.fields import DayMonthYearField, RevealingRadioInput, not_in_future, strip
from app.models import ShieldCategory
from app.services.access import REASON_LABELS, Reason

AGAIN = "again"  # the choice "the same reason as last time"


class ReasonForm(Form):
    """A reason category, plus words (required for "other", revealed by choosing it); the
    reason given last time is offered first when there is one."""

    category = RadioField("Why do you need to see this record?", widget=RevealingRadioInput(),
                          choices=[(r.value, label) for r, label in REASON_LABELS.items()],
                          validators=[InputRequired(message="Select why you need to see "
                                                    "this record")])
    detail = StringField("Tell us why", widget=GovTextInput(), filters=[strip],
                         validators=[Length(max=500, message="Keep it to 500 characters "
                                                             "or fewer")])
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def offer_again(self, label: str) -> None:
        """Put "the same reason as last time" first."""
        self.category.choices = [(AGAIN, label), *self.category.choices]

    def validate(self, extra_validators=None):
        """Free text is required for "other"."""
        ok = super().validate(extra_validators)
        if self.category.data == Reason.other.value and not self.detail.data:
            self.detail.errors = [*self.detail.errors, "Say why you need to see this record"]
            ok = False
        return ok


class MergeForm(Form):
    """Which record to merge into this one; confirmed on a second step."""

    other = IntegerField("TeamAround reference of the duplicate record", widget=GovTextInput(),
                         validators=[InputRequired(message="Enter the TeamAround reference of "
                                                   "the duplicate record"),
                                     NumberRange(min=1, max=MAX_ID, message="Enter a "
                                                 "TeamAround reference, like 1042")],
                         description="It is shown on each record, under Details")
    confirm = HiddenField()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class EndInvolvementForm(Form):
    """When an involvement ended."""

    end_date = DayMonthYearField("When did it end?", what="End date",
                                 validators=[not_in_future])
    submit = SubmitField("End this involvement", widget=GovSubmitInput())


class ShieldForm(Form):
    """Why this child's whereabouts must be withheld."""

    category = RadioField("Why must this record be shielded?", widget=GovRadioInput(),
                          choices=[(c.value, c.label) for c in ShieldCategory],
                          validators=[InputRequired(message="Select why the record must be "
                                                    "shielded")])
    reason = TextAreaField("Anything the management team should know (optional)",
                           widget=GovTextArea(), filters=[strip],
                           validators=[Length(max=1000, message="Keep it to 1,000 characters "
                                                                "or fewer")])
    submit = SubmitField("Shield this record now", widget=GovSubmitInput())


class ContactForm(Form):
    """Ask the management team to put you in touch."""

    message = TextAreaField("Why do you need to make contact, and how can they reach you?",
                            widget=GovTextArea(), filters=[strip],
                            validators=[DataRequired(message="Say why you need contact"),
                                        Length(max=1000)])
    submit = SubmitField("Send to the management team", widget=GovSubmitInput())


class RetentionForm(Form):
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
                                 filters=[strip], validators=[Length(max=400)],
                                 description="For example: the young person, 3 May 2026, "
                                             "care leaver")
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_stay_consent(self, field):
        """Consent to stay must say who, when and why."""
        if self.stay_until.data and not field.data:
            raise ValidationError("Record who gave consent to stay, when, and why")


class PreviewForm(Form):
    """Whom to see the record as."""

    role = RadioField("See it as", widget=GovRadioInput(), choices=[
        ("practitioner", "A practitioner"), ("data_entry", "Data entry staff"),
        ("admin", "An administrator"),
        ("requester", "Someone asking for a look-up (no access of their own)")],
        validators=[InputRequired(message="Select whom to see it as")])
    organisation = SelectField("At which organisation", widget=GovSelect(), coerce=int,
                               validators=[InputRequired(message="Select an organisation")])
    submit = SubmitField("Show me", widget=GovSubmitInput())
