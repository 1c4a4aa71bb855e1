"""Rotating TOTP_ENCRYPTION_KEY, the key that encrypts secrets at rest (authenticator
keys, enrolments under way, emails waiting to be sent): with the new key set and the old
one in TOTP_ENCRYPTION_KEY_FALLBACKS, everything still decrypts; rotate() then encrypts
every stored value under the new key, in one unit of work (all or nothing), after which
the old key can go. SECRET_KEY needs no command: set the new key and the old one in
SECRET_KEY_FALLBACKS until the sessions signed under it have ended."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Invitation, OutgoingEmail, User
from app.services import audit, crypto
from app.services.transaction import atomic

ENCRYPTED = ((User, "totp_secret_enc"), (User, "pending_totp_enc"),
             (Invitation, "pending_totp_enc"), (OutgoingEmail, "body"))


@atomic
def rotate() -> dict[str, int]:
    """Encrypt every stored secret under the current key; returns how many of each. A
    value no configured key opens raises ValueError, and nothing is changed."""
    counts = {}
    for model, name in ENCRYPTED:
        column = getattr(model, name)
        rows = db.session.execute(sa.select(model.id, column).where(column.is_not(None))).all()
        for row_id, value in rows:
            db.session.execute(sa.update(model).where(model.id == row_id)
                               .values({name: crypto.reencrypt(value)})
                               .execution_options(synchronize_session=False))
        counts[f"{model.__tablename__}.{name}"] = len(rows)
    audit.record("keys.rotated", detail=counts)
    return counts
