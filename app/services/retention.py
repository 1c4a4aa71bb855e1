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
  after closing (MEDIATED_RETENTION_DAYS), erasing their audit details.
A run is one transaction: it all happens, or nothing does. A second run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

import sqlalchemy as sa

from app.core.clock import format_date, now
from app.core.dates import anniversary
from app.core.errors import NotAllowed, Refused
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
from app.services import audit, disclosure, mediated, records
from app.services.transaction import atomic

ARCHIVE_AGE = 18
DESTROY_AFTER_YEARS = 6
CONTACT_YEARS = 1
MAX_KEEP_CONTACT_YEARS = 5


def archive_due(child: Child) -> tuple[date, str] | None:
    """When (and why) the child's record is due to be archived, if ever yet known."""
    dues = []
    adult = anniversary(child.date_of_birth, ARCHIVE_AGE)
    if child.stay_until and child.stay_until > adult:
        dues.append((child.stay_until, "consent to stay ended"))
    else:
        dues.append((adult, "18th birthday"))
    if child.date_of_death:
        dues.append((anniversary(child.date_of_death, 1), "one year after death"))
    if child.left_england_on:
        dues.append((child.left_england_on, "left England"))
    return min(dues)


def destroy_due(child: Child) -> date | None:
    """When an archived record is due to be destroyed."""
    if child.archived_at is None:
        return None
    return anniversary(child.archived_at.date(), DESTROY_AFTER_YEARS)


def contact_archive_due(involvement: Involvement) -> date | None:
    """When an ended involvement's contact details leave the live record."""
    if involvement.end_date is None:
        return None
    due = anniversary(involvement.end_date, CONTACT_YEARS)
    if involvement.keep_contact_until:
        limit = anniversary(involvement.end_date, MAX_KEEP_CONTACT_YEARS)
        due = max(due, min(involvement.keep_contact_until, limit))
    return due


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

    def lines(self) -> list[str]:
        """Plain-English summary, one line per rule (record references, no names)."""
        verb = "would be" if self.dry_run else "were"
        out = [f"Retention as of {format_date(self.as_of)}"
               f"{' (dry run: nothing changed)' if self.dry_run else ''}:"]
        for reason, ids in sorted(self.archived.items()):
            out.append(f"  archived ({reason}): {len(ids)} record(s) {verb} archived"
                       f"{_refs(ids)}")
        out.append(f"  destroyed (6 years after archiving): {len(self.destroyed)} record(s) "
                   f"{verb} destroyed{_refs(self.destroyed)}")
        out.append(f"  involvement contact details archived: {len(self.contacts_archived)}"
                   f"{_refs(self.contacts_archived)}")
        out.append(f"  search terms over a year old erased: {self.search_terms_erased}")
        out.append(f"  mediated requests closed without a record deleted: "
                   f"{len(self.requests_deleted)}{_refs(self.requests_deleted)}")
        return out


def _refs(ids: list[int], shown: int = 20) -> str:
    if not ids:
        return ""
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ": " + ", ".join(str(i) for i in ids[:shown]) + more


def _moment(as_of: date) -> datetime:
    return datetime.combine(as_of, time(12)) if as_of != now().date() else now()


@atomic
def run(as_of: date, *, dry_run: bool) -> Report:
    """Apply every rule for as_of, all in one unit of work."""
    report = Report(as_of=as_of, dry_run=dry_run)
    moment = _moment(as_of)
    for child in db.session.scalars(sa.select(Child).where(
            Child.status == ChildStatus.active).order_by(Child.id)):
        due = archive_due(child)
        if due and due[0] <= as_of:
            report.archived.setdefault(due[1], []).append(child.id)
            if not dry_run:
                archive(child, due[1], moment)
    just_archived = {child_id for ids in report.archived.values() for child_id in ids}
    for child in db.session.scalars(sa.select(Child).where(
            Child.status == ChildStatus.archived).order_by(Child.id)):
        due = destroy_due(child)
        if due and due <= as_of and child.id not in just_archived:
            report.destroyed.append(child.id)
            if not dry_run:
                destroy(child)
    for involvement in db.session.scalars(sa.select(Involvement).where(
            Involvement.end_date.is_not(None), Involvement.contact_archived_at.is_(None))
            .order_by(Involvement.id)):
        due = contact_archive_due(involvement)
        if due and due <= as_of:
            report.contacts_archived.append(involvement.id)
            if not dry_run:
                involvement.contact_archived_at = moment
    old_searches = (sa.select(AuditEvent.seq).where(
        AuditEvent.action == "search",
        AuditEvent.occurred_at < datetime.combine(anniversary(as_of, -1), time(0))))
    stale = sa.and_(AuditDetail.event_seq.in_(old_searches), AuditDetail.body.is_not(None))
    report.search_terms_erased = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditDetail).where(stale))
    if not dry_run and report.search_terms_erased:
        audit.erase(old_searches)
    report.requests_deleted = mediated.closed_unmatched(as_of)
    if not dry_run:
        mediated.delete_closed(report.requests_deleted)
        audit.record("retention.run", detail={
            "as_of": as_of.isoformat(), "archived": report.archived,
            "destroyed": len(report.destroyed), "contacts": len(report.contacts_archived),
            "requests_deleted": len(report.requests_deleted)})
    return report


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


@atomic
def record_circumstances(user, child: Child, *, date_of_death, left_england_on, stay_until,
                         stay_consent) -> None:
    """Record death, leaving England or consent to stay (what retention acts on)."""
    if not (user.is_management or disclosure.may_edit(user, child)):
        raise NotAllowed()
    if stay_until and stay_until > anniversary(child.date_of_birth, 25):
        raise Refused("Consent to stay can run to the 25th birthday at the latest")
    child.date_of_death, child.left_england_on = date_of_death, left_england_on
    child.stay_until, child.stay_consent = stay_until, (stay_consent or None) if stay_until \
        else None
    audit.record("child.retention_changed", child_id=child.id,
                 reason_category="updating_record",
                 detail={"death": str(date_of_death), "left": str(left_england_on),
                         "stay_until": str(stay_until), "consent": stay_consent})
