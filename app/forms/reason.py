"""Why a user needs to see a child's record."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from app.services.access import REASON_LABELS, Reason


class ReasonForm(FlaskForm):
    """A reason category, plus words (required for "other")."""

    category = RadioField("Why do you need to see this record?", widget=GovRadioInput(),
                          choices=[(r.value, label) for r, label in REASON_LABELS.items()],
                          validators=[InputRequired(message="Select why you need to see "
                                                    "this record")])
    detail = StringField("Tell us more (needed for \"Other\")", widget=GovTextInput(),
                         filters=[lambda v: v.strip() if isinstance(v, str) else v],
                         validators=[Length(max=500, message="Keep it to 500 characters "
                                                             "or fewer")])
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def validate(self, extra_validators=None):
        """Free text is required for "other"."""
        ok = super().validate(extra_validators)
        if self.category.data == Reason.other.value and not self.detail.data:
            self.detail.errors = [*self.detail.errors, "Say why you need to see this record"]
            ok = False
        return ok
