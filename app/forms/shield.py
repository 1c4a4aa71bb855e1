"""Forms for shields, their reviews and brokered contact."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.models import ShieldCategory
from app.services.brokering import OUTCOMES


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ShieldForm(FlaskForm):
    """Why this child's whereabouts must be withheld."""

    category = RadioField("Why must this record be shielded?", widget=GovRadioInput(),
                          choices=[(c.value, c.label) for c in ShieldCategory],
                          validators=[InputRequired(message="Select why the record must be "
                                                    "shielded")])
    reason = TextAreaField("Anything the management team should know (optional)",
                           widget=GovTextArea(), filters=[_strip],
                           validators=[Length(max=1000, message="Keep it to 1,000 characters "
                                                                "or fewer")])
    submit = SubmitField("Shield this record now", widget=GovSubmitInput())


class ReviewForm(FlaskForm):
    """The management team's decision on a shield."""

    decision = RadioField("Decision", widget=GovRadioInput(),
                          choices=[("keep", "Keep the shield (next review in 6 months)"),
                                   ("remove", "Remove the shield")],
                          validators=[InputRequired(message="Select whether to keep or remove "
                                                    "the shield")])
    reason = TextAreaField("Reason for the decision", widget=GovTextArea(), filters=[_strip],
                           validators=[DataRequired(message="Give the reason for the decision"),
                                       Length(max=1000)])
    submit = SubmitField("Record the decision", widget=GovSubmitInput())


class ContactForm(FlaskForm):
    """Ask the management team to broker contact."""

    message = TextAreaField("Why do you need to make contact, and how can they reach you?",
                            widget=GovTextArea(), filters=[_strip],
                            validators=[DataRequired(message="Say why you need contact"),
                                        Length(max=1000)])
    submit = SubmitField("Send to the management team", widget=GovSubmitInput())


class OutcomeForm(FlaskForm):
    """What happened when the management team asked."""

    outcome = RadioField("What happened?", widget=GovRadioInput(),
                         choices=list(OUTCOMES.items()),
                         validators=[InputRequired(message="Select what happened")])
    note = TextAreaField("Note for the requester (optional)", widget=GovTextArea(),
                         filters=[_strip], validators=[Length(max=1000)],
                         description="They see this and the outcome, nothing else")
    submit = SubmitField("Record the outcome", widget=GovSubmitInput())
