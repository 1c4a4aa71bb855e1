"""Password hashing (argon2id) and the password policy (NIST SP 800-63B)."""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 12
MAX_LENGTH = 128
_COMMON_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"
_EDGE_JUNK = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    with gzip.open(_COMMON_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_KIB"],
        parallelism=cfg["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """Return an argon2id hash of the password."""
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> tuple[bool, bool]:
    """Check a password; returns (matches, needs_rehash).

    With no stored hash (unknown email) a dummy hash is checked anyway, so that an unknown
    address takes about as long as a wrong password.
    """
    hasher = _hasher()
    target = stored_hash or _dummy_hash(hasher.time_cost, hasher.memory_cost)
    try:
        hasher.verify(target, password)
    except (VerificationError, InvalidHashError):
        return False, False
    if stored_hash is None:
        return False, False
    return True, hasher.check_needs_rehash(stored_hash)


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int) -> str:
    return _hasher().hash("not a real password, only for equal timing")


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def policy_problems(password: str, *, organisation_name: str = "", email: str = "") -> list[str]:
    """Return plain-English reasons the password is refused (empty when it is acceptable)."""
    if len(password) < MIN_LENGTH:
        return [f"Your password must be at least {MIN_LENGTH} characters long"]
    if len(password) > MAX_LENGTH:
        return [f"Your password must be {MAX_LENGTH} characters or fewer"]
    lowered = password.casefold()
    core = _EDGE_JUNK.sub("", lowered)
    if lowered in _common() or (len(core) >= 4 and core in _common()):
        return [
            "This password is too common and easy to guess. "
            "Try three or four unrelated words together"
        ]
    squashed = _squash(password)
    org = _squash(organisation_name)
    if len(org) >= 4 and org in squashed:
        return ["Your password must not contain your organisation's name"]
    local = _squash(email.split("@", 1)[0])
    if len(local) >= 4 and local in squashed:
        return ["Your password must not contain your email address"]
    if "teamaround" in squashed:
        return ["Your password must not contain the name of this service"]
    return []
