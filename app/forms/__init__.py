"""FlaskForms (CSRF on every POST) rendered with the GOV.UK Frontend widgets."""

from app.forms.auth import (
    ChangePasswordForm,
    CodeForm,
    ConfirmPasswordForm,
    EmptyForm,
    InviteForm,
    NewPasswordForm,
    ReenrolForm,
    SetupForm,
    SignInForm,
)

__all__ = [
    "ChangePasswordForm",
    "CodeForm",
    "ConfirmPasswordForm",
    "EmptyForm",
    "InviteForm",
    "NewPasswordForm",
    "ReenrolForm",
    "SetupForm",
    "SignInForm",
]
