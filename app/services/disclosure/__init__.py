"""THE one place that decides what anyone may see of a child.

Every output carrying child data (page, fragment, search row, edit form, mediated answer,
subject access report, and any document kept for later delivery) is rendered from a
projection made here. Templates never read a child's model directly.

- rules.py: may this viewer open, edit, see the NHS number; is it shielded from them; the
  digest of the facts that decisions rest on (kept with stored documents).
- record.py: the record page, list rows and edit forms for a signed-in viewer.
- mediated.py: what a mediated-access requester may be told, checked again at delivery.
- requester.py: what a subject access report may tell its requester.
"""

from app.services.disclosure.mediated import mediated_fields, still_disclosable
from app.services.disclosure.record import (
    UNSPECIFIED,
    WITHHELD,
    CarerView,
    ChildView,
    RowView,
    ServiceView,
    carer_for_edit,
    involvement_for_edit,
    own_children,
    project,
    project_row,
)
from app.services.disclosure.requester import (
    Requester,
    RequesterView,
    for_requester,
    match_carer,
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
    may_see_nhs_number,
)

__all__ = [
    "UNSPECIFIED",
    "WITHHELD",
    "CarerView",
    "ChildView",
    "Requester",
    "RequesterView",
    "RowView",
    "ServiceView",
    "Viewer",
    "basis_digest",
    "carer_for_edit",
    "for_requester",
    "hides_whereabouts",
    "involved_organisation_ids",
    "involvement_for_edit",
    "is_involved",
    "match_carer",
    "may_change_involvement",
    "may_edit",
    "may_open",
    "may_see_nhs_number",
    "mediated_fields",
    "own_children",
    "project",
    "project_row",
    "still_disclosable",
]
