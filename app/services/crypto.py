"""Tokens, digests and at-rest encryption; keys come from configuration, never the database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


def new_token() -> str:
    """Return a fresh random URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


def digest(value: str) -> str:
    """SHA-256 hex digest; tokens and recovery codes are stored only this way."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def keyed_digest(key: str, message: str) -> str:
    """HMAC-SHA256 hex digest of message under key."""
    return hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _fernet_of(material: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(material.encode("utf-8")).digest()))


def _fernet() -> MultiFernet:
    """TOTP_ENCRYPTION_KEY encrypts; it and the keys being rotated out
    (TOTP_ENCRYPTION_KEY_FALLBACKS) decrypt."""
    keys = [current_app.config["TOTP_ENCRYPTION_KEY"],
            *current_app.config.get("TOTP_ENCRYPTION_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_of(key) for key in keys])


def encrypt(plaintext: str) -> str:
    """Encrypt a short secret (a TOTP key, an email waiting to be sent) for storage."""
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(ciphertext: str) -> str:
    """Decrypt a value made by encrypt(); raises ValueError if no configured key opens it."""
    try:
        return _fernet().decrypt(ciphertext.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("stored secret cannot be decrypted with the configured key") from exc


def reencrypt(ciphertext: str) -> str:
    """The same value encrypted under the current key (key rotation)."""
    try:
        return _fernet().rotate(ciphertext.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise ValueError("stored secret cannot be decrypted with the configured key") from exc
