"""Filters for the audit trail (GET: they hold ids and dates, never names)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import IntegerField, SelectField, SubmitField
from wtforms.validators import NumberRange, Optional

from app import MAX_ID
from app.forms.base import Form
from app.forms.fields import DayMonthYearField
from app.services import audit_labels
from app.services.access import REASON_LABELS
from app.services.monitoring import Filters


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class AuditFilterForm(Form):
    """Narrow the trail by person, organisation, child, action, reason and dates."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    user = SelectField("Person", widget=GovSelect(), coerce=_int_or_none,
                       validators=[Optional()])
    organisation = SelectField("Organisation", widget=GovSelect(), coerce=_int_or_none,
                               validators=[Optional()])
    child = IntegerField("Child's TeamAround reference", widget=GovTextInput(),
                         validators=[Optional(), NumberRange(min=1, max=MAX_ID,
                                                             message="Enter a reference "
                                                             "number, like 1042")])
    action = SelectField("Action", widget=GovSelect(), validators=[Optional()])
    reason = SelectField("Reason", widget=GovSelect(), validators=[Optional()])
    date_from = DayMonthYearField("From", what="The from date", required=False)
    date_to = DayMonthYearField("To", what="The to date", required=False)
    submit = SubmitField("Filter", widget=GovSubmitInput())

    def offer(self, people, organisations, actions) -> None:
        """The choices to narrow by."""
        self.user.choices = [(None, "Anyone"), *people]
        self.organisation.choices = [(None, "Any organisation"), *organisations]
        labelled = sorted(((a, audit_labels.label(a)) for a in actions), key=lambda c: c[1])
        self.action.choices = [("", "Any action"), *labelled]
        self.reason.choices = [("", "Any reason")] + [(k.value, v)
                                                     for k, v in REASON_LABELS.items()]

    def filters(self) -> Filters:
        """The filters, as the trail is read with them."""
        return Filters(user_id=self.user.data, organisation_id=self.organisation.data,
                       child_id=self.child.data, action=self.action.data or None,
                       reason=self.reason.data or None, date_from=self.date_from.data,
                       date_to=self.date_to.data)
