"""Forms of the import: the upload, and a person's decision about a held row."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from app.forms.base import Form


class UploadForm(Form):
    """The file exported from the school's MIS."""

    upload = FileField("Upload a file", widget=GovFileInput(), validators=[
        FileRequired(message="Select the CSV file or Common Transfer File to import")])
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class RowDecisionForm(Form):
    """Which record a held row is, or a new child, or leave it out."""

    # the service checks the answer against the candidates as they are when it is given
    decision = RadioField("Who is this pupil?", widget=GovRadioInput(), validate_choice=False,
                          choices=[], validators=[
        InputRequired(message="Select who this pupil is, or leave them out")])
    submit = SubmitField("Save this decision", widget=GovSubmitInput())

    def offer(self, rows) -> None:
        """Each candidate the person may see, a different child, or leave the row out."""
        self.decision.choices = [(str(r.id), f"The same child as {r.name}") for r in rows] + [
            ("new", "A different child: add a new record"),
            ("leave", "Leave this pupil out of the import")]
