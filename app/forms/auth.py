"""Signing in: email and password, then a code."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    PasswordField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length

from app.forms.base import Form
from app.forms.fields import (
    email_field,
)


class SignInForm(Form):
    """First sign-in step: email and password."""

    email = email_field()
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[DataRequired(message="Enter your password")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class CodeForm(Form):
    """A one-time code: TOTP, or (at sign-in) a recovery code."""

    code = StringField("Code", widget=GovTextInput(), validators=[
        DataRequired(message="Enter the code from your authenticator app"),
        Length(max=20, message="The code is too long: check it and try again")])
    submit = SubmitField("Continue", widget=GovSubmitInput())
