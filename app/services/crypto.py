"""Tokens, digests and at-rest encryption; keys come from configuration, never the database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
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


def _fernet() -> Fernet:
    material = current_app.config["TOTP_ENCRYPTION_KEY"].encode("utf-8")
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(material).digest()))


def encrypt(plaintext: str) -> str:
    """Encrypt a short secret (a TOTP key) for storage."""
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(ciphertext: str) -> str:
    """Decrypt a value made by encrypt(); raises ValueError if the key is wrong."""
    try:
        return _fernet().decrypt(ciphertext.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("stored secret cannot be decrypted with the configured key") from exc
