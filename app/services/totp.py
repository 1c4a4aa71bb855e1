"""TOTP (RFC 6238) with replay protection: each accepted time step is claimed once."""

from __future__ import annotations

import hmac
import re
import secrets
import string

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app

from app.core.clock import now, unix
from app.extensions import db
from app.models import RecoveryCode, User
from app.services import crypto

INTERVAL = 30
SIX_DIGITS = re.compile(r"[0-9]{6}")
ISSUER = "TeamAround"
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alike characters


def new_secret() -> str:
    """Return a new random base32 TOTP key (160 bits)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, interval=INTERVAL).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """Inline SVG QR code for the URI (made here: no external request)."""
    qr = segno.make(uri, error="m")
    return qr.svg_inline(scale=5, title="QR code for your authenticator app")


def grouped(secret: str) -> str:
    """The key in groups of four, easier to type by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def current_step() -> int:
    """The current TOTP time step number."""
    return int(unix()) // INTERVAL


def _clean(code: str) -> str:
    return "".join(ch for ch in code if ch not in " -")


def matching_step(secret: str, code: str) -> int | None:
    """Return the time step the code belongs to: the current or the previous one only."""
    code = _clean(code)
    if not SIX_DIGITS.fullmatch(code):
        return None
    otp = pyotp.TOTP(secret, interval=INTERVAL)
    step = current_step()
    found = None
    for candidate in (step, step - 1):
        if hmac.compare_digest(otp.generate_otp(candidate), code):
            found = candidate
    return found


def claim_step(user_id: int, step: int) -> bool:
    """Record step as used, in one conditional UPDATE; False if it (or a later one) was used.

    Two simultaneous submissions of one code race on this statement and only one wins.
    """
    result = db.session.execute(
        sa.update(User)
        .where(User.id == user_id)
        .where(sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def user_secret(user: User) -> str:
    """Decrypt the user's TOTP key."""
    return crypto.decrypt(user.totp_secret_enc)


def _code_hash(raw: str) -> str:
    """Keyed with a secret outside the database, so a stolen table cannot be brute-forced."""
    return crypto.keyed_digest(current_app.config["TOTP_ENCRYPTION_KEY"], f"recovery:{raw}")


def issue_recovery_codes(user_id: int) -> list[str]:
    """Replace the user's recovery codes with 10 new ones; returns them (shown once)."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user_id, code_hash=_code_hash(raw)))
    return codes


def use_recovery_code(user_id: int, code: str) -> bool:
    """Spend a recovery code: one conditional UPDATE, so each code works exactly once."""
    raw = _clean(code).lower()
    if len(raw) != 10 or any(ch not in string.ascii_lowercase + string.digits for ch in raw):
        return False
    result = db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user_id)
        .where(RecoveryCode.code_hash == _code_hash(raw))
        .where(RecoveryCode.used_at.is_(None))
        .values(used_at=now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def recovery_codes_left(user_id: int) -> int:
    """How many unused recovery codes the user still has."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )
