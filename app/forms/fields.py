"""Shared form fields (the GOV.UK day/month/year date, a child's reference, an email
address, eligibility dates) and the helpers that move values between forms and dicts."""

from __future__ import annotations

import re
from datetime import date

from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovRadioInput, GovTextInput
from wtforms import Field, IntegerField, RadioField, StringField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)

from app import MAX_ID
from app.core.clock import now
from app.core.dates import anniversary_clamped
from app.models import RoleCategory


class DayMonthYearField(Field):
    """Three boxes (day, month, year) giving a date, with GOV.UK error messages."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, *, what: str, required: bool = True,
                 **kwargs):
        super().__init__(label, validators, **kwargs)
        self.what = what  # "Date of birth": used to build messages
        self.required = required

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if not self.raw_data:
            self.raw_data = None  # the widget then shows self.data

    def process_formdata(self, valuelist):
        parts = ([v.strip() for v in valuelist] + ["", "", ""])[:3]
        self.raw_data = parts
        if not any(parts):
            self.data = None
            if self.required:  # "The training date" -> "Enter the training date"
                raise ValueError("Enter the " + re.sub(r"(?i)^the ", "", self.what).lower())
            return
        missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True)
                   if not part]
        if missing:
            self.data = None
            raise ValueError(f"{self.what} must include a {missing[0]}")
        day, month, year = parts
        if not all(part.isascii() and part.isdigit() for part in parts):
            self.data = None
            raise ValueError(f"{self.what} must be a real date, in numbers")
        if len(year) != 4:
            self.data = None
            raise ValueError("Year must include 4 numbers")
        if len(day) > 2 or len(month) > 2:  # GOV.UK: never a 500 for a huge day or month
            self.data = None
            raise ValueError(f"{self.what} must be a real date")
        try:
            self.data = date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            self.data = None
            raise ValueError(f"{self.what} must be a real date") from None

    def _value(self):
        return self.data.strftime("%d %m %Y") if self.data else ""


class RevealingRadioInput(GovRadioInput):
    """GOV.UK radios where choosing an item reveals more beneath it (the conditional reveal
    pattern): call the field with reveal={value: html}. Without JavaScript everything shows.
    The reveal is ours (static/js/teamaround.js, data-ta-reveal), not GOV.UK Frontend's,
    which puts aria-expanded on the radios: ARIA does not allow it there and axe fails it
    (govuk-frontend #979)."""

    def map_gov_params(self, field, **kwargs):
        reveal = kwargs.pop("reveal", None) or {}
        params = super().map_gov_params(field, **kwargs)
        for item in params.get("items", []):
            if item.get("value") in reveal:
                item["conditional"] = {"html": reveal[item["value"]]}
        if reveal:
            params.setdefault("attributes", {})["data-ta-reveal"] = "true"
        return params


def today() -> date:
    """Today's date in UTC (the clock the rules use)."""
    return now().date()


def not_in_future(form, field):
    """Dates such as a date of birth cannot be after today."""
    if field.data and field.data > today():
        raise ValidationError(f"{field.what} must be today or in the past")


def within_25_years(form, field):
    """Children's records: a date of birth more than 25 years ago is a typing error."""
    if field.data and field.data < anniversary_clamped(today(), -25):
        raise ValidationError(f"{field.what} must be within the last 25 years: "
                              "TeamAround is for children and young people")


def errors_for_summary(form) -> dict:
    """Error summary parameters whose links land on the first box of each field."""
    params = wtforms_errors(form)
    for item in params["errorList"]:
        name = item["href"].lstrip("#")
        field = form._fields.get(name)
        if isinstance(field, DayMonthYearField):
            item["href"] = f"#{name}-day"
    return params


def strip(value):
    """Filter: surrounding spaces off."""
    return value.strip() if isinstance(value, str) else value


def child_reference():
    """The child's TeamAround reference (the number shown on the record)."""
    return IntegerField("TeamAround reference of the child", widget=GovTextInput(),
                        validators=[InputRequired(message="Enter the child's TeamAround "
                                                  "reference"),
                                    NumberRange(min=1, max=MAX_ID, message="Enter a "
                                                "reference, like 1042")])


def requester_name_field():
    """Who is asking."""
    return StringField("Who is asking", widget=GovTextInput(), filters=[strip],
                       validators=[DataRequired(message="Enter who is asking"),
                                   Length(max=200)])


def form_values(form, names) -> dict:
    """The named fields' data, dates as ISO strings, ready to store in a draft."""
    values = {}
    for name in names:
        value = form[name].data
        values[name] = value.isoformat() if isinstance(value, date) else value
    return values


def fill_form(form, values: dict) -> None:
    """Put stored values back into a form (dates parsed again)."""
    for name, value in values.items():
        if name not in form._fields:
            continue
        field = form[name]
        if isinstance(value, str) and field.type == "DayMonthYearField" and value:
            value = date.fromisoformat(value)
        field.data = value


EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"


def email_field(label_missing: str = "Enter your email address"):
    return StringField("Email address", widget=GovTextInput(), filters=[strip], validators=[
        DataRequired(message=label_missing), Length(max=254, message="Email address must be "
                                                    "254 characters or fewer"),
        Email(message=EMAIL_FORMAT, check_deliverability=False)])


CATEGORY_CHOICES = [(c.value, c.label) for c in RoleCategory]


def category_field():
    """The eligible role category."""
    return RadioField("Their job role", widget=GovRadioInput(), choices=CATEGORY_CHOICES,
                      validators=[InputRequired(message="Select the job role")])


def training_field(required=False):
    """When TeamAround training was completed."""
    return DayMonthYearField("TeamAround training completed on", what="The training date",
                             required=required, validators=[not_in_future])


def dbs_field(required=False):
    """The date of the enhanced DBS check."""
    return DayMonthYearField("Enhanced DBS check dated", what="The DBS check date",
                             required=required, validators=[not_in_future])
