"""Forms for entering a child's record and correcting it (GOV.UK patterns): the
wizard's steps, reused by the record's own pages."""

from __future__ import annotations

import re

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from app.forms.base import Form
from app.forms.fields import DayMonthYearField, not_in_future, strip, within_25_years
from app.models import Gender, Scheme, ServiceType
from app.services import identifiers
from app.services.disclosure import ListFilters

DETAIL_FIELDS = ("given_names", "family_name", "other_names", "gender", "date_of_birth",
                 "address_line1", "address_line2", "town", "postcode")
IDENTIFIER_FIELDS = ("nhs", "upn", "uln", "local")
CARER_FIELDS = ("name", "relationship", "parental_responsibility", "address", "phone", "email")
SERVICE_FIELDS = ("service_type", "service_name", "practitioner_name", "practitioner_role",
                  "phone", "email", "address", "start_date", "lead_professional",
                  "caf_completed", "consent_given_by", "consent_relationship", "consent_date")


POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
PHONE = re.compile(r"^[0-9 +()\-]{6,20}$")


def text(label, *, required=None, max_length=200, hint=None):
    """A trimmed text box; required gives the message to show when it is empty."""
    checks = [DataRequired(message=required)] if required else [Optional()]
    checks.append(Length(max=max_length, message=f"{label} must be {max_length} characters "
                                                 "or fewer"))
    return StringField(label, widget=GovTextInput(), validators=checks, filters=[strip],
                       description=hint)


def postcode_check(form, field):
    """A UK postcode shape, stored in capitals with one space."""
    if field.data:
        squashed = field.data.replace(" ", "").upper()
        if not POSTCODE.match(squashed):
            raise ValidationError("Enter a real postcode, like SW1A 1AA")
        field.data = f"{squashed[:-3]} {squashed[-3:]}"


def phone_check(form, field):
    """Digits, spaces and + ( ) - only."""
    if field.data and not PHONE.match(field.data):
        raise ValidationError("Enter a phone number, like 01632 960 001 or 07700 900 982")


def optional_phone():
    """An optional, checked phone number."""
    return StringField("Phone number (optional)", widget=GovTextInput(), filters=[strip],
                       validators=[Optional(), phone_check])


def optional_email():
    """An optional, checked email address."""
    return StringField("Email address (optional)", widget=GovTextInput(), filters=[strip],
                       validators=[Optional(), Email(message="Enter an email address in the "
                                                     "correct format, like name@example.com",
                                                     check_deliverability=False)])


def identifier_check(scheme: Scheme):
    """Validate and normalise one identifier with its plain-English message."""
    def check(form, field):
        if field.data:
            try:
                field.data = identifiers.normalise(scheme, field.data)
            except ValueError as error:
                raise ValidationError(str(error)) from None
    return check


class DetailsForm(Form):
    """The child's basic details."""

    given_names = text("Given names", required="Enter the child's given names")
    family_name = text("Family name", required="Enter the child's family name")
    other_names = text("Other or previous names (optional)", max_length=400,
                       hint="For example a name used before adoption or a change of surname")
    gender = RadioField("Gender", widget=GovRadioInput(),
                        choices=[(g.value, g.label) for g in Gender],
                        validators=[InputRequired(message="Select the child's gender")])
    date_of_birth = DayMonthYearField("Date of birth", what="Date of birth",
                                      validators=[not_in_future, within_25_years],
                                      description="For example, 27 3 2015")
    address_line1 = text("Address line 1 (optional)")
    address_line2 = text("Address line 2 (optional)")
    town = text("Town or city (optional)", max_length=100)
    postcode = StringField("Postcode (optional)", widget=GovTextInput(), filters=[strip],
                           validators=[Optional(), postcode_check])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class IdentifiersForm(Form):
    """Identifiers: all optional, each checked."""

    nhs = StringField("NHS number (optional)", widget=GovTextInput(), filters=[strip],
                      validators=[Optional(), identifier_check(Scheme.nhs)],
                      description="10 digits, for example 943 476 5919")
    upn = StringField("Unique Pupil Number (optional)", widget=GovTextInput(), filters=[strip],
                      validators=[Optional(), identifier_check(Scheme.upn)],
                      description="13 characters: a letter then 12 numbers or letters")
    uln = StringField("Unique Learner Number (optional)", widget=GovTextInput(),
                      filters=[strip], validators=[Optional(), identifier_check(Scheme.uln)],
                      description="10 digits, for young people aged 14 and over")
    local = StringField("Your local reference (optional)", widget=GovTextInput(),
                        filters=[strip], validators=[Optional(), identifier_check(Scheme.local)],
                        description="For example your MIS admission number")
    submit = SubmitField("Continue", widget=GovSubmitInput())


class CarerForm(Form):
    """A parent or carer."""

    name = text("Full name", required="Enter the parent or carer's full name")
    relationship = text("Relationship to the child", required="Enter their relationship to "
                        "the child", max_length=60, hint="For example mother, grandfather, "
                        "foster carer")
    parental_responsibility = RadioField(
        "Do they have parental responsibility?", widget=GovRadioInput(),
        choices=[("yes", "Yes"), ("no", "No")],
        validators=[InputRequired(message="Select whether they have parental responsibility")])
    address = text("Address (optional)", max_length=400, hint="Leave empty if it is the "
                   "child's address")
    phone = optional_phone()
    email = optional_email()
    submit = SubmitField("Add this parent or carer", widget=GovSubmitInput())


SERVICE_CHOICES = [(t.value, t.label) for t in ServiceType]


class ServiceForm(Form):
    """A service working with the child; sensitive services need a consent record."""

    service_type = SelectField("Type of service", widget=GovSelect(),
                               choices=[("", "Choose a type of service"), *SERVICE_CHOICES],
                               validators=[DataRequired(message="Choose the type of service")])
    service_name = text("Name of the service or setting", required="Enter the name of the "
                        "service or setting", hint="For example Riverside Surgery")
    practitioner_name = text("Practitioner's name (optional)")
    practitioner_role = text("Practitioner's role (optional)", max_length=100)
    phone = optional_phone()
    email = optional_email()
    address = text("Address (optional)", max_length=400)
    start_date = DayMonthYearField("Start date (optional)", what="Start date", required=False,
                                   validators=[not_in_future])
    lead_professional = BooleanField("This practitioner is the lead professional",
                                     widget=GovCheckboxInput())
    caf_completed = BooleanField("A Common Assessment Framework (CAF) has been completed",
                                 widget=GovCheckboxInput())
    consent_given_by = text("Who gave consent (sensitive services only)",
                            hint="The young person, or a parent if the child lacks capacity")
    consent_relationship = text("Their relationship to the child (sensitive services only)",
                                max_length=60, hint="For example the young person themself, "
                                "mother")
    consent_date = DayMonthYearField("Date consent was given (sensitive services only)",
                                     what="Date consent was given", required=False,
                                     validators=[not_in_future])
    submit = SubmitField("Add this service", widget=GovSubmitInput())

    def validate(self, extra_validators=None):
        """Sensitive services are refused without a consent record."""
        ok = super().validate(extra_validators)
        chosen = ServiceType._value2member_map_.get(self.service_type.data)
        if chosen is not None and chosen.category == "sensitive":
            for field, message in (
                (self.consent_given_by, "Enter who gave consent: a sensitive service is "
                                        "recorded only with consent"),
                (self.consent_relationship, "Enter the relationship to the child of the "
                                            "person who gave consent"),
                (self.consent_date, "Enter the date consent was given"),
            ):
                if not field.data and not field.errors:
                    field.errors = [*field.errors, message]
                    ok = False
        return ok


class MatchForm(Form):
    """The user's decision about a likely duplicate."""

    decision = RadioField("Is this the same child?", widget=GovRadioInput(),
                          validators=[InputRequired(message="Select whether this is the same "
                                                    "child as a record already held")])
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def offer(self, rows, unseen: list[int]) -> None:
        """Each record shown, or a different child (flagged when some could not be shown)."""
        self.decision.choices = [(str(r.id), f"Same child as {r.name}") for r in rows] + [
            ("different", "This is a different child" if not unseen else
             "Save it as a new record: the management team will check for a duplicate")]


class ChildrenFilterForm(Form):
    """Narrow and order the organisation's own list. Sent by POST: a name typed here must
    not end up in an address bar or a log."""

    name = StringField("Name starts with", widget=GovTextInput(), filters=[strip],
                       validators=[Optional(), Length(max=100, message="Enter 100 characters "
                                                                       "or fewer")])
    born = IntegerField("Year of birth", widget=GovTextInput(),
                        validators=[Optional(), NumberRange(min=1990, max=2100, message="Enter "
                                                            "a year like 2015")])
    shielded = SelectField("Shielded", widget=GovSelect(), default="any",
                           choices=[("any", "Shielded or not"), ("yes", "Shielded only"),
                                    ("no", "Not shielded")])
    order = SelectField("Sort by", widget=GovSelect(), default="name",
                        choices=[("name", "Family name, A to Z"), ("youngest", "Youngest first"),
                                 ("oldest", "Oldest first")])
    page = IntegerField(widget=HiddenInput(), default=1,
                        validators=[Optional(), NumberRange(min=1, max=10**6)])
    submit = SubmitField("Show children", widget=GovSubmitInput())

    def filters(self) -> ListFilters:
        """The list's filters as the service takes them."""
        return ListFilters(name=self.name.data or None, born=self.born.data,
                           shielded={"yes": True, "no": False}.get(self.shielded.data),
                           order=self.order.data or "name")
