"""Reading the audit trail for the management team: filters, histories, warning signs, CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from app.core.clock import LONDON, format_datetime, now, to_london
from app.core.errors import NotAllowed
from app.extensions import db
from app.models import AuditDetail, AuditEvent, Organisation, User
from app.services import audit, audit_labels, disclosure
from app.services.transaction import atomic

CHILD_READS = ("child.viewed",)
WORKING_HOURS = (time(7, 0), time(19, 0))  # London time, Monday to Friday
UNUSUAL_DAILY_VIEWS = 50  # record views by one user in one day that merit a look


@dataclass
class Filters:
    """What the management team narrows the trail by."""

    user_id: int | None = None
    organisation_id: int | None = None
    child_id: int | None = None
    action: str | None = None
    reason: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class Row:
    """One event, ready to show."""

    seq: int
    when: str
    who: str
    organisation: str
    action: str
    outcome: str
    child_id: int | None
    reason: str | None
    reason_text: str | None
    ip: str | None
    shielded: bool

    @property
    def action_label(self) -> str:
        """The action in words (the code stays in the CSV)."""
        return audit_labels.label(self.action)


def _utc(day: date, end: bool = False) -> datetime:
    """Midnight London time at the start of day (or of the next day) as stored UTC."""
    local = datetime.combine(day + timedelta(days=1) if end else day, time(0), tzinfo=LONDON)
    return local.astimezone(UTC).replace(tzinfo=None)


def _query(filters: Filters):
    query = (sa.select(AuditEvent, User.name, Organisation.name, AuditDetail.body)
             .outerjoin(User, User.id == AuditEvent.actor_user_id)
             .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
             .outerjoin(AuditDetail, AuditDetail.event_seq == AuditEvent.seq))
    conditions = []
    if filters.user_id:
        conditions.append(AuditEvent.actor_user_id == filters.user_id)
    if filters.organisation_id:
        conditions.append(AuditEvent.organisation_id == filters.organisation_id)
    if filters.child_id:
        conditions.append(AuditEvent.child_id == filters.child_id)
    if filters.action:
        conditions.append(AuditEvent.action == filters.action)
    if filters.reason:
        conditions.append(AuditEvent.reason_category == filters.reason)
    if filters.date_from:
        conditions.append(AuditEvent.occurred_at >= _utc(filters.date_from))
    if filters.date_to:
        conditions.append(AuditEvent.occurred_at < _utc(filters.date_to, end=True))
    return query.where(*conditions).order_by(AuditEvent.seq.desc())


def _row(event, who, organisation, body) -> Row:
    detail = json.loads(body) if body else {}
    return Row(seq=event.seq, when=format_datetime(event.occurred_at),
               who=who or ("the system" if event.actor_user_id is None else
                           f"user {event.actor_user_id}"),
               organisation=organisation or "", action=event.action, outcome=event.outcome,
               child_id=event.child_id, reason=event.reason_category,
               reason_text=detail.get("reason") if isinstance(detail, dict) else None,
               ip=event.ip, shielded=event.shielded)


def events(filters: Filters, *, page: int = 1, per_page: int = 50) -> tuple[list[Row], int]:
    """One page of matching events, newest first, and how many match in all."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        _query(filters).order_by(None).subquery()))
    rows = db.session.execute(_query(filters).limit(per_page).offset((page - 1) * per_page))
    return [_row(*r) for r in rows], total


def actions() -> list[str]:
    """Every action name that occurs in the trail."""
    return list(db.session.scalars(sa.select(AuditEvent.action).distinct()
                                   .order_by(AuditEvent.action)))


def _since(days: int) -> datetime:
    return now() - timedelta(days=days)


def busy_users(days: int = 7, threshold: int = UNUSUAL_DAILY_VIEWS
               ) -> list[tuple[str, str, int, int]]:
    """Users whose record views on some day reached the unusual-volume mark."""
    day = sa.func.date(AuditEvent.occurred_at)
    per_day = (sa.select(AuditEvent.actor_user_id.label("uid"), day.label("day"),
                         sa.func.count().label("n"))
               .where(AuditEvent.action.in_(CHILD_READS), AuditEvent.occurred_at >= _since(days))
               .group_by(AuditEvent.actor_user_id, day).subquery())
    rows = db.session.execute(
        sa.select(User.name, Organisation.name, sa.func.max(per_day.c.n), sa.func.sum(per_day.c.n))
        .join(User, User.id == per_day.c.uid).join(Organisation, Organisation.id ==
                                                    User.organisation_id)
        .group_by(User.name, Organisation.name)
        .having(sa.func.max(per_day.c.n) >= threshold)
        .order_by(sa.func.max(per_day.c.n).desc()))
    return [tuple(r) for r in rows]


def _is_out_of_hours(moment: datetime) -> bool:
    local = to_london(moment)
    return local.weekday() >= 5 or not (WORKING_HOURS[0] <= local.time() < WORKING_HOURS[1])


def out_of_hours(days: int = 7, limit: int = 200) -> list[Row]:
    """Looks at children's records outside 7am to 7pm, Monday to Friday (London time)."""
    found = []
    for row in db.session.execute(_query(Filters()).where(
            AuditEvent.action.in_(CHILD_READS), AuditEvent.occurred_at >= _since(days))):
        if _is_out_of_hours(row[0].occurred_at):
            found.append(_row(*row))
            if len(found) >= limit:
                break
    return found


def capped_searches(days: int = 7, limit: int = 200) -> list[Row]:
    """Searches that matched more than the cap (a sign of trawling)."""
    query = _query(Filters(action="search")).where(AuditEvent.outcome == "capped",
                                                   AuditEvent.occurred_at >= _since(days))
    return [_row(*r) for r in db.session.execute(query.limit(limit))]


def possible_duplicates(days: int = 30, limit: int = 200) -> list[Row]:
    """Records saved by someone who could not see a likely match: check and merge."""
    query = _query(Filters(action="child.possible_duplicate")).where(
        AuditEvent.occurred_at >= _since(days))
    return [_row(*r) for r in db.session.execute(query.limit(limit))]


def shielded_access(days: int = 30, limit: int = 200) -> list[Row]:
    """Every look at a shielded record."""
    query = _query(Filters()).where(AuditEvent.shielded.is_(True),
                                    AuditEvent.occurred_at >= _since(days))
    return [_row(*r) for r in db.session.execute(query.limit(limit))]


def spreadsheet_cell(value) -> str:
    """Spreadsheets run cells starting with = + - @ (and tab/CR) as formulas: defuse them."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(filters: Filters, limit: int = 100_000) -> str:
    """The matching events as CSV, formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["event", "when (London)", "who", "organisation", "action", "outcome",
                     "child reference", "reason", "reason given", "from", "shielded"])
    for row in db.session.execute(_query(filters).limit(limit)):
        r = _row(*row)
        writer.writerow([spreadsheet_cell(v) for v in (
            r.seq, r.when, r.who, r.organisation, r.action, r.outcome, r.child_id, r.reason,
            r.reason_text, r.ip, "yes" if r.shielded else "no")])
    return out.getvalue()


def filter_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]], list[str]]:
    """What the trail can be narrowed by: people, organisations, actions."""
    people = db.session.execute(sa.select(User.id, User.name).order_by(User.name)).all()
    orgs = db.session.execute(sa.select(Organisation.id, Organisation.name)
                              .order_by(Organisation.name)).all()
    return [(i, n) for i, n in people], [(i, n) for i, n in orgs], actions()


def _management(user: User) -> None:
    if not disclosure.may_read_audit(user):
        raise NotAllowed()


@atomic
def export(user: User, filters: Filters) -> str:
    """The filtered trail as CSV; the export is itself recorded."""
    _management(user)
    body = to_csv(filters)
    audit.record("audit.exported", detail={"filters": {k: str(v) for k, v in
                                                       filters.__dict__.items() if v}})
    return body


@atomic
def child_history(user: User, child_id: int) -> tuple[list[Row], int]:
    """Who looked at one child's record, when and why (the look is itself recorded)."""
    _management(user)
    rows, total = events(Filters(child_id=child_id), per_page=500)
    audit.record("audit.child_history_viewed", child_id=child_id)
    return rows, total
