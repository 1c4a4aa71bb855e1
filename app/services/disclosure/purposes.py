"""Every purpose the policy projects a child's data for: each output of the portal that
carries child data is one of these, made by the projection named here, and nothing else.
The disclosure table test walks this list, so a new purpose without a row there fails."""

from __future__ import annotations

import enum


class Purpose(enum.StrEnum):
    """Why a child's data is being shown, and so which projection shows it."""

    record_page = "record page"                  # record.project -> ChildView
    edit_form = "edit form"                      # edit.*_for_edit -> the form's values
    search_row = "search row"                    # rows.project_row -> RowView
    list_row = "list row"                        # rows.own_children -> RowView
    duplicate_candidate = "duplicate candidate"  # rows.duplicate_candidate -> RowView|None
    mediated_answer = "mediated answer"          # mediated.mediated_fields, still_disclosable
    subject_access_report = "subject access report"  # requester.for_requester
    archive = "archive"                          # record.project, management, read only
    contact_broker = "contact broker"            # record.project, management
    audit_csv_row = "audit CSV row"              # rules.may_read_audit: management only
    preview = "preview"                          # record.project as another viewer, read only

    @property
    def read_only(self) -> bool:
        """Outputs that offer no action on the record."""
        return self in (Purpose.archive, Purpose.preview, Purpose.mediated_answer,
                        Purpose.contact_broker)


RECORD_SHAPED = frozenset({Purpose.record_page, Purpose.edit_form, Purpose.archive,
                           Purpose.contact_broker, Purpose.preview, Purpose.mediated_answer})
