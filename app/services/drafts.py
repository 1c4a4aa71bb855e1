"""Entering a child step by step: a draft only its author can see (personal data never in
the cookie), kept for a day, then either saved as a record, added to a likely duplicate,
or thrown away. Likely duplicates are shown only as the disclosure policy allows."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.core.clock import now
from app.core.errors import NotFound
from app.extensions import db
from app.models import Child, ChildDraft, Scheme, User
from app.services import audit, children, disclosure, matching
from app.services.transaction import atomic

DRAFT_LIFETIME = timedelta(hours=24)
EXPIRED = "This draft has expired or does not exist. Start again: nothing was saved."


def get_draft(user: User, draft_id: int) -> ChildDraft | None:
    """The user's own draft, if it is less than a day old."""
    draft = db.session.get(ChildDraft, draft_id)
    if draft is None or draft.user_id != user.id or now() - draft.created_at > DRAFT_LIFETIME:
        return None
    return draft


def find(user: User, draft_id: int) -> ChildDraft:
    """The user's own live draft, or NotFound."""
    draft = get_draft(user, draft_id)
    if draft is None:
        raise NotFound(EXPIRED)
    return draft


def answers(draft: ChildDraft) -> dict:
    """The draft's answers so far."""
    return json.loads(draft.data or "{}")


def _store(draft: ChildDraft, data: dict) -> None:
    draft.data = json.dumps(data, default=str)
    draft.updated_at = now()


def _abandoned(moment: datetime):
    return ChildDraft.created_at < moment - DRAFT_LIFETIME


def count_abandoned(moment: datetime) -> int:
    """How many drafts were abandoned over a day before moment."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(ChildDraft)
                             .where(_abandoned(moment)))


@atomic
def expire(moment: datetime | None = None) -> int:
    """Delete drafts abandoned over a day before moment (now by default): they hold names,
    dates of birth and identifiers nobody saved. The event says how many, naming no one.
    Run by retention, by the periodic job, and whenever someone starts a draft."""
    deleted = db.session.execute(sa.delete(ChildDraft).where(
        _abandoned(moment or now()))).rowcount
    if deleted:
        audit.record("drafts.expired", detail={"deleted": deleted})
    return deleted


@atomic
def new_draft(user: User) -> ChildDraft:
    """Start entering a child (and clear away anyone's drafts abandoned over a day ago)."""
    expire()
    draft = ChildDraft(user_id=user.id, data="{}")
    db.session.add(draft)
    db.session.flush()
    return draft


@atomic
def save_step(user: User, draft_id: int, step: str, values: dict) -> None:
    """Keep the answers of a one-form step (details, identifiers)."""
    draft = find(user, draft_id)
    _store(draft, {**answers(draft), step: values})


@atomic
def add_item(user: User, draft_id: int, step: str, values: dict) -> None:
    """Add a carer or a service to the draft."""
    draft = find(user, draft_id)
    data = answers(draft)
    data.setdefault(step, []).append(values)
    _store(draft, data)


@atomic
def remove_item(user: User, draft_id: int, step: str, index: int) -> None:
    """Take a carer or service off the draft."""
    draft = find(user, draft_id)
    data = answers(draft)
    items = data.get(step, [])
    if not 0 <= index < len(items):
        raise NotFound()
    items.pop(index)
    _store(draft, data)


@atomic
def discard(user: User, draft_id: int) -> None:
    """Throw the draft away."""
    db.session.delete(find(user, draft_id))


def likely_matches(user: User, draft: ChildDraft) -> tuple[list[disclosure.RowView], list[int]]:
    """Records that may be this child: those the user may be shown (as rows), and the ids
    of the others, which are only counted (and flagged to the management team)."""
    data = answers(draft)
    if "details" not in data:
        return [], []
    details = data["details"]
    found = matching.likely_matches(
        given_names=details["given_names"], family_name=details["family_name"],
        date_of_birth=date.fromisoformat(details["date_of_birth"]),
        identifier_values={Scheme(k): v for k, v in data.get("identifiers", {}).items() if v})
    shown = [disclosure.duplicate_candidate(user, m.child, m.reasons) for m in found]
    return [row for row in shown if row], [m.child.id for m, row in zip(found, shown,
                                                                          strict=True) if not row]


@atomic
def show_matches(user: User, rows: list[disclosure.RowView]) -> None:
    """Each shown candidate's own history records the look."""
    for row in rows:
        audit.record("child.match_shown", child_id=row.id, reason_category="updating_record",
                     shielded=row.shielded)


@atomic
def save_as_new(user: User, draft_id: int, *, not_same_as: list[int] | None = None,
                unseen: list[int] | None = None) -> str:
    """Save the draft as a new record (recording which candidates it is not); returns the
    child's name. Candidates the user could not be shown are flagged as possible
    duplicates for the management team."""
    draft = find(user, draft_id)
    for child_id in unseen or []:
        audit.record("child.possible_duplicate", child_id=child_id,
                     reason_category="updating_record")
    child = children.create_from_draft(user, answers(draft),
                                       not_same_as=(not_same_as or []) + (unseen or []))
    db.session.delete(draft)
    return child.full_name


@atomic
def add_to_existing(user: User, draft_id: int, child_id: int) -> int:
    """"The same child": add the draft's services to that record; returns how many."""
    draft = find(user, draft_id)
    child = db.session.get(Child, child_id)
    if child is None:
        raise NotFound()
    added = children.add_draft_involvements_to(user, child, answers(draft))
    db.session.delete(draft)
    return added
