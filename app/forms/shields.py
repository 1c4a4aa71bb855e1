"""Forms for the management team's shield reviews and brokered contact."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.forms.base import Form
from app.forms.fields import strip
from app.services.brokering import OUTCOMES


class ReviewForm(Form):
    """The management team's decision on a shield."""

    decision = RadioField("Decision", widget=GovRadioInput(),
                          choices=[("keep", "Keep the shield (next review in 6 months)"),
                                   ("remove", "Remove the shield")],
                          validators=[InputRequired(message="Select whether to keep or remove "
                                                    "the shield")])
    reason = TextAreaField("Reason for the decision", widget=GovTextArea(), filters=[strip],
                           validators=[DataRequired(message="Give the reason for the decision"),
                                       Length(max=1000)])
    submit = SubmitField("Record the decision", widget=GovSubmitInput())


class OutcomeForm(Form):
    """What happened when the management team asked."""

    outcome = RadioField("What happened?", widget=GovRadioInput(),
                         choices=list(OUTCOMES.items()),
                         validators=[InputRequired(message="Select what happened")])
    note = TextAreaField("Note for the requester (optional)", widget=GovTextArea(),
                         filters=[strip], validators=[Length(max=1000)],
                         description="They see this and the outcome, nothing else")
    submit = SubmitField("Record the outcome", widget=GovSubmitInput())
