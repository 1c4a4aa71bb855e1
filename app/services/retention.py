"""Retention: records leave the live directory on time and are destroyed on time.

Rules (DOMAIN.md "Retention"), applied for a given day:
- archive at the 18th birthday, unless consent to stay was recorded (until 20 or 25);
  someone born on 29 February turns 18 on 1 March in a year that has no 29 February
  (the day after 28 February, as UK law counts it), never on 28 February;
- archive one year after a recorded death;
- archive once "left England, not returning within 3 years" is recorded;
- destroy archived records 6 years after archiving (with the mediated and subject access
  requests about them), leaving a tombstone event;
- archive an involvement's contact details one year after it ends, or later when the
  practitioner chose to keep them (up to 5 years);
- erase the search terms kept with search events after one year (they name children, but
  no search event is tied to one child, and archived children can no longer be found);
- delete mediated requests closed without a record (declined or never matched) a year
  after closing (MEDIATED_RETENTION_DAYS), erasing their audit details;
- delete add-child drafts abandoned over a day ago (they hold personal data nobody saved).
A run works in batches (transaction.in_batches), each one unit of work with its audit
events, pausing between them on SQLite so that requests waiting for the write lock get it:
a run stopped half-way has lost nothing (its position is the data itself: what is due and
not yet done), and the next run finishes it. A second run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

import sqlalchemy as sa

from app.core.clock import format_date, now
from app.core.dates import anniversary
from app.core.text import plural
from app.extensions import db
from app.models import (
    AccessGrant,
    AuditDetail,
    AuditEvent,
    Child,
    ChildStatus,
    ContactRequest,
    CorrectionRequest,
    Involvement,
    MediatedRequest,
    Shield,
    ShieldReview,
    SubjectAccessRequest,
)
from app.services import audit, drafts, mediated, records, retention_rules
from app.services.transaction import atomic, in_batches


@dataclass
class Report:
    """What a run did (or would do), by rule."""

    as_of: date
    dry_run: bool
    archived: dict[str, list[int]] = field(default_factory=dict)
    destroyed: list[int] = field(default_factory=list)
    contacts_archived: list[int] = field(default_factory=list)
    search_terms_erased: int = 0
    requests_deleted: list[int] = field(default_factory=list)
    drafts_deleted: int = 0

    def lines(self) -> list[str]:
        """Plain-English summary, one line per rule (record references, no names)."""
        def verb(count: int) -> str:
            return "would be" if self.dry_run else ("was" if count == 1 else "were")

        out = [f"Retention as of {format_date(self.as_of)}"
               f"{' (dry run: nothing changed)' if self.dry_run else ''}:"]
        for reason, ids in sorted(self.archived.items()):
            count = plural(len(ids), "record")
            out.append(f"  archived ({reason}): {count} {verb(len(ids))} archived{_refs(ids)}")
        destroyed = plural(len(self.destroyed), "record")
        out.append(f"  destroyed (6 years after archiving): {destroyed} "
                   f"{verb(len(self.destroyed))} destroyed{_refs(self.destroyed)}")
        out.append(f"  involvement contact details archived: {len(self.contacts_archived)}"
                   f"{_refs(self.contacts_archived)}")
        out.append(f"  search terms over a year old erased: {self.search_terms_erased}")
        out.append(f"  mediated requests closed without a record deleted: "
                   f"{len(self.requests_deleted)}{_refs(self.requests_deleted)}")
        out.append(f"  add-child drafts abandoned over a day ago deleted: {self.drafts_deleted}")
        return out


def _refs(ids: list[int], shown: int = 20) -> str:
    if not ids:
        return ""
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ": " + ", ".join(str(i) for i in ids[:shown]) + more


def _moment(as_of: date) -> datetime:
    return datetime.combine(as_of, time(12)) if as_of != now().date() else now()


def run(as_of: date, *, dry_run: bool) -> Report:
    """Apply every rule for as_of, in batches, each one unit of work with its audit events.
    The candidates are read without any lock; each batch takes the lock briefly."""
    report = Report(as_of=as_of, dry_run=dry_run)
    moment = _moment(as_of)
    due = retention_rules.archive_candidates(as_of)
    for reason, ids in due.items():
        report.archived[reason] = ids
    for batch in in_batches([(i, r) for r, ids in due.items() for i in ids]):
        if not dry_run:
            _archive_batch(batch, moment)
    report.destroyed = retention_rules.destroy_candidates(
        as_of, {i for ids in due.values() for i in ids})
    for batch in in_batches(report.destroyed, 50):
        if not dry_run:
            _destroy_batch(batch)
    report.contacts_archived = retention_rules.contact_candidates(as_of)
    for batch in in_batches(report.contacts_archived):
        if not dry_run:
            _archive_contacts(batch, moment)
    old_searches = (sa.select(AuditEvent.seq).where(
        AuditEvent.action == "search",
        AuditEvent.occurred_at < datetime.combine(anniversary(as_of, -1), time(0))))
    report.search_terms_erased = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditDetail).where(
            AuditDetail.event_seq.in_(old_searches), AuditDetail.body.is_not(None)))
    report.requests_deleted = mediated.closed_unmatched(as_of)
    report.drafts_deleted = drafts.count_abandoned(moment)
    db.session.rollback()  # the candidates were read; nothing is held while the batches run
    if not dry_run:
        _finish(report, old_searches, moment)
    return report


@atomic
def _archive_batch(batch: list[tuple[int, str]], moment: datetime) -> None:
    reasons = dict(batch)
    for child in db.session.scalars(sa.select(Child).where(Child.id.in_(reasons),
                                                           Child.status == ChildStatus.active)):
        archive(child, reasons[child.id], moment)


@atomic
def _destroy_batch(ids: list[int]) -> None:
    for child in db.session.scalars(sa.select(Child).where(
            Child.id.in_(ids), Child.status == ChildStatus.archived)):
        destroy(child)


@atomic
def _archive_contacts(ids: list[int], moment: datetime) -> None:
    db.session.execute(sa.update(Involvement).where(Involvement.id.in_(ids))
                       .values(contact_archived_at=moment)
                       .execution_options(synchronize_session=False))


@atomic
def _finish(report: Report, old_searches, moment: datetime) -> None:
    """The small rules, and the run's own event."""
    audit.erase(old_searches)
    mediated.delete_closed(report.requests_deleted)
    report.drafts_deleted = drafts.expire(moment)
    audit.record("retention.run", detail={
        "as_of": report.as_of.isoformat(), "archived": report.archived,
        "destroyed": len(report.destroyed), "contacts": len(report.contacts_archived),
        "requests_deleted": len(report.requests_deleted), "drafts": report.drafts_deleted})


def archive(child: Child, reason: str, moment: datetime) -> None:
    """Take the record out of the live directory."""
    child.status, child.archived_at, child.archive_reason = ChildStatus.archived, moment, reason
    for shield in db.session.scalars(sa.select(Shield).where(Shield.child_id == child.id,
                                                             Shield.active.is_(True))):
        shield.active, shield.ended_at = False, moment  # no more reviews; the flag stays
    db.session.execute(sa.update(ContactRequest).where(
        ContactRequest.child_id == child.id, ContactRequest.status == "open")
        .values(status="not_needed", outcome="The record was archived", closed_at=moment)
        .execution_options(synchronize_session=False))
    audit.record("child.archived", subject_type="child", subject_id=child.id,
                 child_id=child.id, detail={"rule": reason})


def destroy(child: Child) -> None:
    """Delete the record and everything about the child; erase its audit details; leave a
    tombstone event that names no one."""
    child_ids = records.merge_tree(child.id)
    audit.erase(sa.select(AuditEvent.seq).where(AuditEvent.child_id.in_(child_ids)))
    shields = sa.select(Shield.id).where(Shield.child_id.in_(child_ids))
    for model, condition in (
            (ShieldReview, ShieldReview.shield_id.in_(shields)),
            (Shield, Shield.child_id.in_(child_ids)),
            (ContactRequest, ContactRequest.child_id.in_(child_ids)),
            (MediatedRequest, MediatedRequest.child_id.in_(child_ids)),
            (CorrectionRequest, CorrectionRequest.child_id.in_(child_ids)),
            (SubjectAccessRequest, SubjectAccessRequest.child_id.in_(child_ids)),
            (AccessGrant, AccessGrant.child_id.in_(child_ids))):
        db.session.execute(sa.delete(model).where(condition)
                           .execution_options(synchronize_session=False))
    for child_id in reversed(child_ids):  # records merged in deepest first, this one last
        db.session.delete(db.session.get(Child, child_id))  # with identifiers, carers,
        db.session.flush()                                  # involvements and name keys
    audit.record("child.destroyed", subject_type="child", subject_id=child_ids[0],
                 child_id=None)
