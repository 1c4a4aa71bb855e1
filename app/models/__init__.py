"""SQLAlchemy models, one module per aggregate; imported here so metadata is complete."""

from app.models.audit import AuditDetail, AuditEvent, AuditHead
from app.models.organisation import Organisation, OrganisationKind
from app.models.user import Invitation, RecoveryCode, Role, SetupToken, User, UserSession

__all__ = [
    "AuditDetail",
    "AuditEvent",
    "AuditHead",
    "Invitation",
    "Organisation",
    "OrganisationKind",
    "RecoveryCode",
    "Role",
    "SetupToken",
    "User",
    "UserSession",
]
