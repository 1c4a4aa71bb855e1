"""SQLAlchemy models, one module per aggregate; imported here so metadata is complete."""

from app.models.audit import (
    AuditDetail,
    AuditEvent,
    AuditLeaf,
    AuditTreeHead,
    AuditUnsealed,
)
from app.models.child import (
    AccessGrant,
    Carer,
    Child,
    ChildDraft,
    ChildNameKey,
    Identifier,
    Involvement,
)
from app.models.imports import ImportJob, ImportRow, ImportStatus, ImportUpload, RowOutcome
from app.models.kinds import ChildStatus, Gender, Scheme, ServiceCategory, ServiceType
from app.models.mail import OutgoingEmail
from app.models.mediated import MediatedRequest, RequestStatus
from app.models.organisation import Organisation, OrganisationKind
from app.models.sar import CorrectionRequest, SubjectAccessRequest
from app.models.shield import ContactKind, ContactRequest, Shield, ShieldCategory, ShieldReview
from app.models.user import (
    Invitation,
    RecoveryCode,
    Role,
    RoleCategory,
    SetupToken,
    User,
    UserSession,
)

__all__ = [
    "AccessGrant",
    "AuditDetail",
    "AuditEvent",
    "AuditLeaf",
    "AuditTreeHead",
    "AuditUnsealed",
    "Carer",
    "Child",
    "ChildDraft",
    "ChildNameKey",
    "ChildStatus",
    "ContactKind",
    "ContactRequest",
    "CorrectionRequest",
    "Gender",
    "Identifier",
    "ImportJob",
    "ImportRow",
    "ImportStatus",
    "ImportUpload",
    "Invitation",
    "Involvement",
    "MediatedRequest",
    "Organisation",
    "OrganisationKind",
    "OutgoingEmail",
    "RecoveryCode",
    "RequestStatus",
    "Role",
    "RoleCategory",
    "RowOutcome",
    "Scheme",
    "ServiceCategory",
    "ServiceType",
    "SetupToken",
    "Shield",
    "ShieldCategory",
    "ShieldReview",
    "SubjectAccessRequest",
    "User",
    "UserSession",
]
