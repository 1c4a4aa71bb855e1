"""The directory search form: any of the minimum combinations of criteria."""

from __future__ import annotations

import re

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import IntegerField, StringField, SubmitField
from wtforms.validators import NumberRange, Optional, ValidationError

from app.forms.base import Form
from app.forms.fields import DayMonthYearField, not_in_future, strip
from app.services.search import Criteria

DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")



def district_check(form, field):
    """The first half of a postcode, like BS1 or SW1A."""
    if field.data:
        field.data = field.data.replace(" ", "").upper()
        if not DISTRICT.match(field.data):
            raise ValidationError("Enter a postcode district: the first half of a postcode, "
                                  "like BS1 or SW1A")


class SearchForm(Form):
    """Search criteria; which combinations are enough is decided by services/search.py."""

    identifier = StringField("NHS number, UPN or ULN", widget=GovTextInput(), filters=[strip])
    family_name = StringField("Family name", widget=GovTextInput(), filters=[strip],
                              description="Current or previous")
    given_names = StringField("Given name", widget=GovTextInput(), filters=[strip])
    date_of_birth = DayMonthYearField("Date of birth", what="Date of birth", required=False,
                                      validators=[not_in_future])
    age = IntegerField("Approximate age in years", widget=GovTextInput(),
                       validators=[Optional(), NumberRange(min=0, max=25, message="Enter an age "
                                                           "from 0 to 25")])
    district = StringField("Postcode district", widget=GovTextInput(), filters=[strip],
                           validators=[Optional(), district_check],
                           description="The first half of a postcode, like BS1")
    submit = SubmitField("Search", widget=GovSubmitInput())

    def criteria(self) -> Criteria:
        """What was typed, as the search service takes it."""
        return Criteria(
            family_name=self.family_name.data or "", given_names=self.given_names.data or "",
            date_of_birth=self.date_of_birth.data, age=self.age.data,
            district=self.district.data or "", identifier=self.identifier.data or "")
