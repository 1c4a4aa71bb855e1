"""The words a child's record is written in: gender, where the record is in its life,
identifier schemes, and the kinds of service (universal, targeted, sensitive)."""

from __future__ import annotations

import enum


class Gender(enum.StrEnum):
    """Gender as recorded by the setting."""

    female = "female"
    male = "male"
    other = "other"
    not_known = "not_known"

    @property
    def label(self) -> str:
        """Plain-English label."""
        return {"female": "Female", "male": "Male", "other": "Another gender",
                "not_known": "Not known"}[self.value]


class ChildStatus(enum.StrEnum):
    """Where the record is in its life."""

    active = "active"
    merged = "merged"
    archived = "archived"


class Scheme(enum.StrEnum):
    """Identifier schemes a child may have, one value each."""

    nhs = "nhs"
    upn = "upn"
    uln = "uln"
    local = "local"

    @property
    def label(self) -> str:
        """Plain-English name of the identifier."""
        return {"nhs": "NHS number", "upn": "Unique Pupil Number (UPN)",
                "uln": "Unique Learner Number (ULN)", "local": "Local reference"}[self.value]


class ServiceCategory(enum.StrEnum):
    """Universal, targeted or sensitive (consent needed, hidden from most users)."""

    universal = "universal"
    targeted = "targeted"
    sensitive = "sensitive"


class ServiceType(enum.StrEnum):
    """Kinds of service that can be involved with a child."""

    education_setting = "education_setting"
    gp_practice = "gp_practice"
    health_visitor = "health_visitor"
    school_nurse = "school_nurse"
    midwife = "midwife"
    social_care = "social_care"
    sen = "sen"
    youth_offending = "youth_offending"
    youth_support = "youth_support"
    voluntary_sector = "voluntary_sector"
    police = "police"
    other = "other"
    sexual_health = "sexual_health"
    mental_health = "mental_health"
    substance_misuse = "substance_misuse"

    @property
    def label(self) -> str:
        """Plain-English name of the service type."""
        return SERVICE_LABELS[self]

    @property
    def category(self) -> ServiceCategory:
        """Which of universal, targeted or sensitive this type is."""
        if self in UNIVERSAL:
            return ServiceCategory.universal
        if self in SENSITIVE:
            return ServiceCategory.sensitive
        return ServiceCategory.targeted


SERVICE_LABELS = {
    ServiceType.education_setting: "Education setting",
    ServiceType.gp_practice: "GP practice",
    ServiceType.health_visitor: "Health visitor",
    ServiceType.school_nurse: "School nurse",
    ServiceType.midwife: "Midwife",
    ServiceType.social_care: "Children's social care",
    ServiceType.sen: "Special educational needs (SEN or SENCO)",
    ServiceType.youth_offending: "Youth offending team",
    ServiceType.youth_support: "Youth support",
    ServiceType.voluntary_sector: "Voluntary sector",
    ServiceType.police: "Police",
    ServiceType.other: "Other service",
    ServiceType.sexual_health: "Sexual health",
    ServiceType.mental_health: "Mental health (CAMHS tiers 2 to 4)",
    ServiceType.substance_misuse: "Substance misuse",
}


UNIVERSAL = frozenset({ServiceType.education_setting, ServiceType.gp_practice,
                       ServiceType.health_visitor, ServiceType.school_nurse, ServiceType.midwife})


SENSITIVE = frozenset({ServiceType.sexual_health, ServiceType.mental_health,
                       ServiceType.substance_misuse})
