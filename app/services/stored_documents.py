"""Documents kept for later delivery that carry child data follow the disclosure policy at
every delivery (DESIGN.md, rule 3):
- a prepared subject access report keeps the digest of the facts it was built on; every
  delivery checks it (services/sar_release.py), and a change withdraws it;
- a mediated answer is re-projected each time it is shown (disclosure.still_disclosable).

facts_changed() is called by every service that changes those facts (shielding, a sensitive
service or its consent, merging), in the same transaction, so that the management team sees
at once which reports must be prepared again, and the trail records what each requester
will no longer see. The checks at delivery hold even where a change comes by another way."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from app.extensions import db
from app.models import Child, MediatedRequest, RequestStatus, SubjectAccessRequest
from app.services import audit, disclosure, records, sar_release


@contextmanager
def watch(child: Child, why: str) -> Iterator[None]:
    """Around a change to the child's record: if it changed the facts the policy's
    decisions rest on (disclosure.basis_digest), act on the documents built on them."""
    before = disclosure.basis_digest(child)
    yield
    db.session.flush()
    if disclosure.basis_digest(child) != before:
        facts_changed(child, why)


def facts_changed(child: Child, why: str) -> None:
    """Withdraw the undelivered reports about the child (and records merged into it) and
    record, for each earlier mediated answer, how much of it the policy now withholds."""
    db.session.flush()
    ids = records.merge_tree(records.surviving(child).id)
    for request in db.session.scalars(sa.select(SubjectAccessRequest).where(
            SubjectAccessRequest.child_id.in_(ids),
            SubjectAccessRequest.status.in_(("awaiting_approval", "approved", "released")))):
        sar_release.withdraw(request, why)
    for request in db.session.scalars(sa.select(MediatedRequest).where(
            MediatedRequest.child_id.in_(ids),
            MediatedRequest.status == RequestStatus.answered)):
        _, withheld = answer_now(request)
        if withheld:
            audit.record("mediated.answer_restricted",
                         on_behalf_of_user_id=request.requester_user_id,
                         subject_type="mediated_request", subject_id=request.id,
                         child_id=request.child_id, reason_category="mediated_request",
                         detail={"why": why, "withheld": withheld})


def answer_now(request: MediatedRequest) -> tuple[list[tuple[str, str]], int]:
    """What the requester may see of their answer today, and how many parts are withheld."""
    stored = json.loads(request.answer or "[]")
    child = records.surviving(db.session.get(Child, request.child_id)) \
        if request.child_id else None
    return disclosure.still_disclosable(stored, child)
