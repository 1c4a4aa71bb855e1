"""Synthetic en_GB children for demos and benchmarks: valid identifiers, no real people."""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa
from faker import Faker
from stdnum.gb import nhs, upn

from app.core.clock import now
from app.extensions import db
from app.models import (
    Carer,
    Child,
    ChildNameKey,
    Identifier,
    Involvement,
    Organisation,
    OrganisationKind,
    ServiceType,
)
from app.services import audit
from app.services.accounts import find_or_create_organisation
from app.services.identifiers import uln_check_digit
from app.services.matching import name_key, search_keys

BATCH = 5000
SETTINGS = [("Demo County Council", OrganisationKind.local_authority),
            ("Hilltop Independent School", OrganisationKind.independent_school),
            ("Little Acorns Childminding", OrganisationKind.childminder),
            ("Riverside Youth Trust", OrganisationKind.voluntary_body),
            ("St Anne's Preparatory School", OrganisationKind.independent_school)]
LA_CODES = [815, 816, 821, 822, 823, 825, 826, 830, 831, 835, 840, 841, 845, 850, 851, 852]
TARGETED = [ServiceType.social_care, ServiceType.sen, ServiceType.youth_support,
            ServiceType.voluntary_sector, ServiceType.youth_offending]


class Pools:
    """Names and places drawn once from Faker, then combined quickly at random."""

    def __init__(self, rng: random.Random, seed: int):
        fake = Faker("en_GB")
        fake.seed_instance(seed)
        self.rng = rng
        self.girls = [fake.first_name_female() for _ in range(800)]
        self.boys = [fake.first_name_male() for _ in range(800)]
        self.surnames = [fake.last_name() for _ in range(3000)]
        self.streets = [fake.street_name() for _ in range(1500)]
        self.towns = [fake.city() for _ in range(300)]
        self.postcodes = [fake.postcode() for _ in range(3000)]
        self.schools = [f"{fake.last_name()} {kind}" for kind in
                        ("Primary School", "Academy", "High School", "Nursery")
                        for _ in range(60)]
        self.surgeries = [f"{fake.last_name()} Surgery" for _ in range(200)]

    def pick(self, items):
        """One item at random."""
        return items[self.rng.randrange(len(items))]


def _nhs_number(rng: random.Random) -> str:
    while True:  # about one body in eleven has no valid check digit: draw again
        body = f"{rng.randrange(400_000_000, 999_999_999):09d}"
        for digit in "0123456789":
            if nhs.is_valid(body + digit):
                return body + digit


def _upn(rng: random.Random) -> str:
    body = f"{rng.choice(LA_CODES)}{rng.randrange(0, 10**9):09d}"
    return upn.calc_check_digit(body) + body


def _uln(rng: random.Random) -> str:
    while True:
        body = f"{rng.randrange(100_000_000, 999_999_999)}"
        check = uln_check_digit(body)
        if check is not None:
            return body + str(check)


def _next_id(model) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def seed(count: int, seed_value: int = 1) -> dict:
    """Insert count children with carers, identifiers and involvements; returns counts."""
    rng = random.Random(seed_value)  # noqa: S311 - made-up people, not secrets
    pools = Pools(rng, seed_value)
    orgs = [find_or_create_organisation(name, kind) for name, kind in SETTINGS]
    db.session.flush()
    today = now().date()
    ids = {m: _next_id(m) for m in (Child, ChildNameKey, Identifier, Carer, Involvement)}
    totals = {"children": 0, "identifiers": 0, "carers": 0, "involvements": 0}
    rows = {m: [] for m in ids}
    for _ in range(count):
        _one_child(rng, pools, orgs, today, ids, rows)
        if len(rows[Child]) >= BATCH:
            _flush_rows(rows, totals)
    _flush_rows(rows, totals)
    _fix_sequences()
    audit.record("demo.seeded", detail={**totals, "seed": seed_value})
    return totals


def _one_child(rng, pools, orgs: list[Organisation], today: date, ids, rows) -> None:
    child_id = ids[Child]
    ids[Child] += 1
    girl = rng.random() < 0.5
    given = pools.pick(pools.girls if girl else pools.boys)
    family = pools.pick(pools.surnames)
    born = today - timedelta(days=rng.randrange(30, 18 * 365))
    owner = rng.choice(orgs)
    rows[Child].append({
        "id": child_id, "given_names": given, "family_name": family, "other_names": None,
        "gender": "female" if girl else "male", "date_of_birth": born,
        "address_line1": f"{rng.randrange(1, 200)} {pools.pick(pools.streets)}",
        "address_line2": None, "town": pools.pick(pools.towns),
        "postcode": pools.pick(pools.postcodes), "date_of_death": None, "status": "active",
        "merged_into_id": None, "family_key": name_key(family), "given_key": name_key(given),
        "created_by_organisation_id": owner.id, "created_at": now(), "updated_at": now()})
    for key in search_keys(family):
        rows[ChildNameKey].append({"id": ids[ChildNameKey], "child_id": child_id, "key": key,
                                   "current": True, "date_of_birth": born,
                                   "given": name_key(given).replace(" ", "")})
        ids[ChildNameKey] += 1
    schemes = [("nhs", _nhs_number(rng)), ("upn", _upn(rng))]
    if (today - born).days > 14 * 365:
        schemes.append(("uln", _uln(rng)))
    for scheme, value in schemes:
        rows[Identifier].append({"id": ids[Identifier], "child_id": child_id,
                                 "scheme": scheme, "value": value})
        ids[Identifier] += 1
    for _ in range(rng.choice((1, 2, 2))):
        rows[Carer].append({
            "id": ids[Carer], "child_id": child_id, "name": f"{pools.pick(pools.girls)} {family}",
            "relationship_to_child": rng.choice(("Mother", "Father", "Grandparent",
                                                 "Foster carer")),
            "parental_responsibility": True, "address": None,
            "phone": f"07700 900{rng.randrange(0, 1000):03d}", "email": None,
            "recorded_by_organisation_id": owner.id})
        ids[Carer] += 1
    services = [(ServiceType.education_setting, pools.pick(pools.schools)),
                (ServiceType.gp_practice, pools.pick(pools.surgeries))]
    if rng.random() < 0.25:
        services.append((rng.choice(TARGETED), "Demo targeted service"))
    for kind, name in services:
        rows[Involvement].append({
            "id": ids[Involvement], "child_id": child_id, "organisation_id": owner.id,
            "service_type": kind.value, "service_name": name, "practitioner_name": None,
            "practitioner_role": None, "phone": f"01632 960{rng.randrange(0, 1000):03d}",
            "email": None, "address": None, "start_date": None, "end_date": None,
            "lead_professional": False, "caf_completed": False, "consent_given_by": None,
            "consent_relationship": None, "consent_date": None, "created_at": now()})
        ids[Involvement] += 1


def _flush_rows(rows, totals) -> None:
    names = {Child: "children", Identifier: "identifiers", Carer: "carers",
             Involvement: "involvements"}
    for model in (Child, ChildNameKey, Identifier, Carer, Involvement):  # parents first
        if rows[model]:
            db.session.execute(sa.insert(model.__table__), rows[model])
            if model in names:
                totals[names[model]] += len(rows[model])
            rows[model].clear()


def _fix_sequences() -> None:
    """PostgreSQL sequences must move past the ids given explicitly."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("children", "child_name_keys", "identifiers", "carers", "involvements"):
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
