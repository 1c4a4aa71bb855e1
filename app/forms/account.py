"""Your own account: a new password, and confirming it is you before a change."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovSubmitInput,
)
from wtforms import (
    PasswordField,
    SubmitField,
)
from wtforms.validators import DataRequired

from app.forms.base import Form
from app.forms.enrol import NewPasswordForm


class ChangePasswordForm(NewPasswordForm):
    """Change password: the current one first."""

    current = PasswordField("Current password", widget=GovPasswordInput(),
                            validators=[DataRequired(message="Enter your current password")])


class ConfirmPasswordForm(Form):
    """Re-authenticate before a sensitive change."""

    current = PasswordField("Current password", widget=GovPasswordInput(),
                            validators=[DataRequired(message="Enter your current password")])
    submit = SubmitField("Continue", widget=GovSubmitInput())
