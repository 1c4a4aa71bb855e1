"""THE one place that decides what anyone may see of a child.

Every output carrying child data (page, fragment, search row, edit form, mediated answer,
subject access report, and any document kept for later delivery) is rendered from a
projection made here. Templates never read a child's model directly.

- rules.py: may this viewer open, edit, see the NHS number; is it shielded from them; the
  digest of the facts that decisions rest on (kept with stored documents).
- record.py: the record page for a signed-in viewer (and for the preview of one).
- rows.py: a child in a list; edit.py: the values an edit form may show.
- sql.py: the rules as SQL, for queries that filter in the database.
- mediated.py: what a mediated-access requester may be told, checked again at delivery.
- requester.py: what a subject access report may tell its requester.
"""

from app.services.disclosure import sql
from app.services.disclosure.edit import (
    carer_for_edit,
    details_for_edit,
    identifiers_for_edit,
    involvement_for_edit,
    retention_for_edit,
)
from app.services.disclosure.mediated import mediated_fields, still_disclosable
from app.services.disclosure.purposes import Purpose
from app.services.disclosure.record import (
    UNSPECIFIED,
    WITHHELD,
    CarerView,
    ChildView,
    ServiceView,
    project,
)
from app.services.disclosure.requester import (
    Requester,
    RequesterView,
    for_requester,
    match_carer,
)
from app.services.disclosure.rows import (
    ListFilters,
    RowView,
    duplicate_candidate,
    own_children,
    project_row,
)
from app.services.disclosure.rules import (
    Viewer,
    basis_digest,
    hides_whereabouts,
    involved_organisation_ids,
    is_involved,
    may_change_involvement,
    may_edit,
    may_open,
    may_read_audit,
    may_see_identifier,
    may_see_nhs_number,
)

__all__ = [
    "UNSPECIFIED",
    "WITHHELD",
    "CarerView",
    "ChildView",
    "ListFilters",
    "Purpose",
    "Requester",
    "RequesterView",
    "RowView",
    "ServiceView",
    "Viewer",
    "basis_digest",
    "carer_for_edit",
    "details_for_edit",
    "duplicate_candidate",
    "for_requester",
    "hides_whereabouts",
    "identifiers_for_edit",
    "involved_organisation_ids",
    "involvement_for_edit",
    "is_involved",
    "match_carer",
    "may_change_involvement",
    "may_edit",
    "may_open",
    "may_read_audit",
    "may_see_identifier",
    "may_see_nhs_number",
    "mediated_fields",
    "own_children",
    "project",
    "project_row",
    "retention_for_edit",
    "sql",
    "still_disclosable",
]
