"""What a subject access report may tell its requester: one redaction rule for every
section, including those built from the audit trail.

The rule, per requester (the young person; a parent or carer with parental responsibility;
someone else acting for one of them):
1. The requester's own data is never withheld from them: the young person's whole record;
   a parent's or carer's own entry (name, address, phone, email), as linked to the request
   when identity is checked, and a sensitive service they consented to themselves.
2. Other people's contact details (the address, phone and email of any other parent or
   carer) are left out for everyone, the young person included. Practitioners' work
   contact details are part of the child's record and are shown unless 3 or 4 applies.
3. A shield withholds whereabouts from everyone but the young person: the address, other
   or previous names, identifiers issued by a school or setting (UPN, local reference),
   the date of leaving England and when the record leaves the directory, the other
   parents and carers, every service, and the name of every organisation in every
   section. The controller (the host) names itself.
4. A sensitive service (sexual health, mental health, substance misuse) is shown only to
   the young person, or to the parent or carer who consented to it themselves (never
   when the young person did); an organisation whose only work with the child is such a
   service is named to nobody else, in any section.
5. What the report says it leaves out depends only on who asks and whether a shield hides
   whereabouts from them, never on what else the record holds: the same notices, the same
   "Withheld" rows. What was withheld, and why, goes to the data protection officer's log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.extensions import db
from app.models import Carer, Child, Involvement, Organisation, Scheme
from app.services import identifiers
from app.services.clock import format_date
from app.services.matching import name_key

WITHHELD = "Withheld"
LEFT_OUT = "Not included in this copy (see the note at the start)"
SHIELD = "Shielded: the requester may be the person the child is shielded from"
THIRD_PARTY = "Another person's personal data (third party), not reasonable to disclose " \
              "without their consent"
SENSITIVE = "A sensitive service: shown only to the young person or to whoever consented"
NOT_NAMED = "Asking organisations are named only to the young person: an organisation's " \
            "name could show where the child is or which services they use"
PLACE_IDS = (Scheme.upn, Scheme.local)  # issued by a school or setting: they point to it
TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "lady", "lord"}


@dataclass(frozen=True)
class Requester:
    """Who asked: their relationship to the child (young_person, parent, carer, other),
    their name as identity was checked, and their own entry on the record, if any."""

    relationship: str
    name: str
    carer_id: int | None = None

    @property
    def is_young_person(self) -> bool:
        """The data subject themselves."""
        return self.relationship == "young_person"


def _person_key(name: str | None) -> tuple[str, str]:
    """First given name and family name, without titles: "Mrs Sarah Jane O'Neill" and
    "Sarah O'Neill" are the same person's name."""
    words = [w for w in name_key(name or "").split() if w not in TITLES]
    return (words[0], words[-1]) if len(words) >= 2 else ("", "")


def match_carer(child: Child, name: str) -> int | None:
    """The one parent or carer on the record with the requester's name, if exactly one."""
    key = _person_key(name)
    found = [c.id for c in child.carers if key[0] and _person_key(c.name) == key]
    return found[0] if len(found) == 1 else None


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
    withheld: list[tuple[str, str]] = field(default_factory=list)


class _Policy:
    """The rule applied to one child for one requester."""

    def __init__(self, child: Child, requester: Requester, controller_id: int | None):
        self.child, self.requester, self.controller_id = child, requester, controller_id
        self.hide_place = bool(child.shielded) and not requester.is_young_person
        self.own = next((c for c in child.carers if c.id == requester.carer_id), None)
        shown = {i.organisation_id for i in child.involvements if self.shows_service(i)}
        self.unnamed = {i.organisation_id for i in child.involvements} - shown

    def is_own(self, carer: Carer) -> bool:
        """Rule 1: the requester's own entry."""
        return self.own is not None and carer.id == self.own.id

    def consented(self, involvement: Involvement) -> bool:
        """Rule 4: consent given by the requester themselves (never by the young person)."""
        giver = _person_key(involvement.consent_given_by)
        return (self.own is not None and giver[0] != "" and giver == _person_key(self.own.name)
                and giver != _person_key(self.child.full_name))

    def shows_service(self, involvement: Involvement) -> bool:
        """Rules 3 and 4 for one service."""
        if self.hide_place:
            return False
        return (not involvement.is_sensitive or self.requester.is_young_person
                or self.consented(involvement))

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
        view.withheld += [(f"Asked through a look-up request: {name}", NOT_NAMED)
                          for name in sorted(set(told))]
    return view


def _held(view: RequesterView, policy: _Policy) -> None:
    child, hide = policy.child, policy.hide_place
    view.held += [("Name", child.full_name), ("Date of birth", format_date(child.date_of_birth)),
                  ("Gender", child.gender.label)]
    if child.other_names and not hide:
        view.held.append(("Other or previous names", child.other_names))
    for identifier in child.identifiers:
        label = identifier.scheme.label
        if hide and identifier.scheme in PLACE_IDS:
            view.withheld.append((label, SHIELD))
        else:
            view.held.append((label, identifiers.display(identifier.scheme, identifier.value)))
    if hide:  # one row, whatever the record holds (rule 5)
        view.held.append(("Where the child lives, other names, and references from schools "
                          "or settings", WITHHELD))
        view.withheld += [(what, SHIELD) for what, present in (
            ("Address, town and postcode", True), ("Other or previous names",
                                                   bool(child.other_names)),
            ("Date of leaving England", bool(child.left_england_on))) if present]
    else:
        address = [p for p in (child.address_line1, child.address_line2, child.town,
                               child.postcode) if p]
        view.held.append(("Address", ", ".join(address) or "Not recorded"))
        if child.left_england_on:
            view.held.append(("Left England", format_date(child.left_england_on)))
    if child.date_of_death:
        view.held.append(("Date of death", format_date(child.date_of_death)))
    if child.stay_until:
        view.held.append(("Consent to stay in the directory until",
                          format_date(child.stay_until)))


def _carers(view: RequesterView, policy: _Policy) -> None:
    for carer in policy.child.carers:
        who = f"{carer.name} ({carer.relationship_to_child})"
        responsibility = "has parental responsibility" if carer.parental_responsibility \
            else "no parental responsibility"
        contact = ", ".join(v for v in (carer.address, carer.phone, carer.email) if v)
        if policy.is_own(carer) and not policy.requester.is_young_person:
            view.carers.append((who, f"{responsibility}; "
                                f"{contact or 'no contact details recorded'}"))
        elif policy.hide_place:
            view.withheld.append((f"Parent or carer: {who}", SHIELD))
        else:
            if contact:
                view.withheld.append((f"Contact details of {carer.name}", THIRD_PARTY))
            view.carers.append((who, f"{responsibility}; contact details: {LEFT_OUT.lower()}"))
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
