"""The form that opens documents sent by secure link."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.forms.base import Form
from app.forms.fields import strip


class PassphraseForm(Form):
    """The passphrase sent separately."""

    passphrase = StringField("Passphrase", widget=GovTextInput(), filters=[strip],
                             validators=[DataRequired(message="Enter the passphrase"),
                                         Length(max=40)],
                             description="We sent it to you separately, for example by "
                                         "phone or letter. It looks like 1234-5678-9012")
    submit = SubmitField("Download", widget=GovSubmitInput())
