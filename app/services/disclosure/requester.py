"""What a subject access report may tell its requester: one redaction rule for every
section, including those built from the audit trail.

The rule, per requester (the young person; a parent or carer with parental responsibility;
someone else acting for one of them):
1. The requester's own data is never withheld from them: the young person's whole record;
   a parent's or carer's own entry (name, address, phone, email) and a sensitive service
   they consented to themselves.
2. Other people's contact details (the address, phone and email of any other parent or
   carer) are withheld from everyone, the young person included. Practitioners' work
   contact details are part of the child's record and are shown unless 3 or 4 applies.
3. A shield withholds whereabouts from everyone but the young person: the address, other
   or previous names, identifiers issued by a school or setting (UPN, local reference),
   the date of leaving England, the other parents and carers, every service, and the name
   of every organisation in every section. The controller (the host) names itself.
4. A sensitive service (sexual health, mental health, substance misuse) is shown only to
   the young person, or to the person who gave consent for it; an organisation whose only
   work with the child is such a service is named to nobody else, in any section.
5. The report never lists what kinds of thing were withheld: its notices are the same for
   every requester of a kind, whatever the record holds. What was withheld, and why, goes
   to the data protection officer's log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.clock import format_date
from app.extensions import db
from app.models import Child, Involvement, Organisation, Scheme
from app.services import identifiers
from app.services.matching import name_key

WITHHELD = "Withheld"
SHIELD = "Shielded: the requester may be the person the child is shielded from"
THIRD_PARTY = "Another person's personal data (third party), not reasonable to disclose " \
              "without their consent"
SENSITIVE = "A sensitive service: shown only to the young person or to whoever consented"
NOT_NAMED = "Asking organisations are named only to the young person: an organisation's " \
            "name could show where the child is or which services they use"
PLACE_IDS = (Scheme.upn, Scheme.local)  # issued by a school or setting: they point to it


@dataclass(frozen=True)
class Requester:
    """Who asked: their relationship to the child (young_person, parent, carer, other)
    and their name as identity was checked."""

    relationship: str
    name: str

    @property
    def is_young_person(self) -> bool:
        """The data subject themselves."""
        return self.relationship == "young_person"

    def is_named(self, name: str | None) -> bool:
        """Whether a name on the record is the requester's (case, accents, punctuation and
        spacing aside)."""
        return bool(name) and name_key(name) == name_key(self.name)


@dataclass
class RequesterView:
    """The report's content for one requester, and the officer's log of what was withheld."""

    child_name: str
    whereabouts_withheld: bool
    held: list[tuple[str, str]] = field(default_factory=list)
    carers: list[tuple[str, str]] = field(default_factory=list)
    services: list[tuple[str, str]] = field(default_factory=list)
    looked: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    told: list[str] = field(default_factory=list)
    told_count: int = 0
    notices: list[str] = field(default_factory=list)
    withheld: list[tuple[str, str]] = field(default_factory=list)


class _Policy:
    """The rule applied to one child for one requester."""

    def __init__(self, child: Child, requester: Requester, controller_id: int | None):
        self.child, self.requester, self.controller_id = child, requester, controller_id
        self.hide_place = bool(child.shielded) and not requester.is_young_person
        shown = {i.organisation_id for i in child.involvements if self.shows_service(i)}
        self.unnamed = {i.organisation_id for i in child.involvements} - shown

    def shows_service(self, involvement: Involvement) -> bool:
        """Rules 3 and 4 for one service."""
        if self.hide_place:
            return False
        return (not involvement.is_sensitive or self.requester.is_young_person
                or self.requester.is_named(involvement.consent_given_by))

    def may_name(self, organisation_id: int | None) -> bool:
        """Rules 3 and 4 for an organisation, wherever it appears."""
        if organisation_id == self.controller_id:
            return True
        return not self.hide_place and organisation_id not in self.unnamed


def for_requester(child: Child, requester: Requester, *, controller_id: int | None,
                  looked: list[int], told: list[str]) -> RequesterView:
    """The report's content: `looked` holds the organisations whose staff opened the
    record (from the audit trail), `told` the organisations that mediated answers went to."""
    policy = _Policy(child, requester, controller_id)
    view = RequesterView(child_name=child.full_name, whereabouts_withheld=policy.hide_place)
    _held(view, policy)
    _carers(view, policy)
    _services(view, policy)
    view.looked = _named(view, policy, looked, "Who has looked at the record")
    view.sources = _named(view, policy, sorted(_source_ids(child)), "Where it came from")
    view.told_count = len(told)
    if requester.is_young_person:
        view.told = sorted(set(told))
    else:
        view.withheld += [(f"Asked through a mediated request: {name}", NOT_NAMED)
                          for name in sorted(set(told))]
    view.notices = _notices(policy)
    return view


def _withhold_held(view: RequesterView, label: str, what: str, why: str) -> None:
    view.held.append((label, WITHHELD))
    view.withheld.append((what, why))


def _held(view: RequesterView, policy: _Policy) -> None:
    child = policy.child
    view.held += [("Name", child.full_name), ("Date of birth", format_date(child.date_of_birth)),
                  ("Gender", child.gender.label)]
    if child.other_names:
        if policy.hide_place:
            _withhold_held(view, "Other or previous names", "Other or previous names", SHIELD)
        else:
            view.held.append(("Other or previous names", child.other_names))
    for identifier in child.identifiers:
        label = identifier.scheme.label
        if policy.hide_place and identifier.scheme in PLACE_IDS:
            _withhold_held(view, label, label, SHIELD)
        else:
            view.held.append((label, identifiers.display(identifier.scheme, identifier.value)))
    address = [p for p in (child.address_line1, child.address_line2, child.town,
                           child.postcode) if p]
    if policy.hide_place:
        _withhold_held(view, "Address", "Address, town and postcode", SHIELD)
    else:
        view.held.append(("Address", ", ".join(address) or "Not recorded"))
    _dates(view, policy)


def _dates(view: RequesterView, policy: _Policy) -> None:
    child = policy.child
    if child.date_of_death:
        view.held.append(("Date of death", format_date(child.date_of_death)))
    if child.left_england_on:
        if policy.hide_place:
            _withhold_held(view, "Left England", "Date of leaving England", SHIELD)
        else:
            view.held.append(("Left England", format_date(child.left_england_on)))
    if child.stay_until:
        view.held.append(("Consent to stay in the directory until",
                          format_date(child.stay_until)))


def _carers(view: RequesterView, policy: _Policy) -> None:
    for carer in policy.child.carers:
        who = f"{carer.name} ({carer.relationship_to_child})"
        responsibility = "has parental responsibility" if carer.parental_responsibility \
            else "no parental responsibility"
        contact = ", ".join(v for v in (carer.address, carer.phone, carer.email) if v)
        if policy.requester.is_named(carer.name) and not policy.requester.is_young_person:
            view.carers.append((who, f"{responsibility}; "
                                f"{contact or 'no contact details recorded'}"))
        elif policy.hide_place:
            view.withheld.append((f"Parent or carer: {who}", SHIELD))
        else:
            if contact:
                view.withheld.append((f"Contact details of {carer.name}", THIRD_PARTY))
            view.carers.append((who, f"{responsibility}; contact details "
                                f"{WITHHELD.lower() if contact else 'not recorded'}"))
    if policy.hide_place:
        view.carers.append(("Other parents and carers", WITHHELD))


def _services(view: RequesterView, policy: _Policy) -> None:
    for involvement in policy.child.involvements:
        what = (f"{involvement.service_type.label}: {involvement.service_name} "
                f"({involvement.organisation.name})")
        if not policy.shows_service(involvement):
            view.withheld.append((what, SHIELD if policy.hide_place else SENSITIVE))
            continue
        view.services.append((involvement.service_type.label, _service_text(involvement)))
    if policy.hide_place:
        view.services = [("Services working with the child", WITHHELD)]


def _service_text(involvement: Involvement) -> str:
    text = f"{involvement.service_name}, {involvement.organisation.name}"
    if involvement.contact_archived_at is None:
        who = ", ".join(v for v in (involvement.practitioner_name,
                                    involvement.practitioner_role, involvement.phone,
                                    involvement.email) if v)
        text += f": {who}" if who else ""
    if involvement.is_sensitive and involvement.consent_date:
        text += (f" (consent given by {involvement.consent_given_by} on "
                 f"{format_date(involvement.consent_date)})")
    if involvement.end_date:
        text += f" (ended {format_date(involvement.end_date)})"
    return text


def _source_ids(child: Child) -> set[int]:
    return ({i.organisation_id for i in child.involvements}
            | {c.recorded_by_organisation_id for c in child.carers}
            | {child.created_by_organisation_id})


def _named(view: RequesterView, policy: _Policy, organisation_ids, section: str) -> list[str]:
    names = []
    for organisation_id in dict.fromkeys(organisation_ids):
        name = db.session.get(Organisation, organisation_id).name
        if policy.may_name(organisation_id):
            names.append(name)
        else:
            view.withheld.append((f"{section}: {name}",
                                  SHIELD if policy.hide_place else SENSITIVE))
    return sorted(names)


def _notices(policy: _Policy) -> list[str]:
    """The same sentences for every requester of this kind, whatever the record holds."""
    notices = ["This copy leaves out other people's contact details: they are those "
               "people's own information."]
    if not policy.requester.is_young_person:
        notices.append("It also leaves out information that is the young person's to share, "
                       "such as some health services they use, and the organisations that "
                       "provide them.")
    if policy.hide_place:
        notices.append("Some information is withheld because sharing it could put someone "
                       "at risk. Where this copy says 'Withheld', we hold information that "
                       "we cannot share with you.")
    return notices

