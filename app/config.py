"""Configuration: safe defaults here; environment variables win."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]


KEY_NAMES = ("secret_key", "audit_hmac_key", "audit_signing_key", "totp_encryption_key")


def keys_folder(instance_path: str) -> Path:
    """Where generated keys live: KEYS_DIR, else keys/ beside the instance folder (not in
    it: a backup of the data folder must not take the keys that check its audit log)."""
    return Path(os.environ.get("KEYS_DIR") or Path(instance_path).parent / "keys")


def keys_beside_data(instance_path: str, database_url: str) -> list[Path]:
    """Key files that sit in the data folder (instance/, or the SQLite database's folder),
    where one copy would take both: an install from before keys/, or KEYS_DIR set there."""
    folders = {Path(instance_path).resolve()}
    if database_url.startswith("sqlite:///"):
        folders.add(Path(database_url.removeprefix("sqlite:///")).resolve().parent)
    found = {(folder / name) for folder in folders for name in KEY_NAMES}
    return sorted(path for path in found if path.is_file())


def instance_secret(instance_path: str, name: str, env_name: str, preset: dict) -> str:
    """Return a secret from the preset or environment, else from the keys folder (made
    once; an install from before the keys folder keeps reading instance/<name>, and is
    warned: keys_beside_data)."""
    if preset.get(env_name):
        return preset[env_name]
    if os.environ.get(env_name):
        return os.environ[env_name]
    path = keys_folder(instance_path) / name
    old = Path(instance_path) / name
    if not path.exists() and old.is_file():
        return old.read_text().strip()
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # O_EXCL so two workers starting together cannot write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def load(instance_path: str, preset: dict | None = None) -> dict:
    """Build the configuration mapping for an app whose instance folder is given."""
    preset = preset or {}
    database_url = os.environ.get(
        "DATABASE_URL", "sqlite:///" + str(Path(instance_path) / "teamaround.sqlite")
    )
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    secure_cookies = not _flag("TEAMAROUND_PLAIN_HTTP", False)
    return {
        "SECRET_KEY": instance_secret(instance_path, "secret_key", "SECRET_KEY", preset),
        "AUDIT_HMAC_KEY": instance_secret(
            instance_path, "audit_hmac_key", "AUDIT_HMAC_KEY", preset
        ),
        # Signs the audit log's tree heads (Ed25519 key derived from it); like the HMAC key,
        # never in the database or its backups
        "AUDIT_SIGNING_KEY": instance_secret(
            instance_path, "audit_signing_key", "AUDIT_SIGNING_KEY", preset
        ),
        "TOTP_ENCRYPTION_KEY": instance_secret(
            instance_path, "totp_encryption_key", "TOTP_ENCRYPTION_KEY", preset
        ),
        # Keys being rotated out (comma-separated), still accepted until `flask keys
        # rotate` has re-encrypted everything (TOTP) or sessions have moved on (SECRET_KEY)
        "SECRET_KEY_FALLBACKS": _list("SECRET_KEY_FALLBACKS"),
        "TOTP_ENCRYPTION_KEY_FALLBACKS": _list("TOTP_ENCRYPTION_KEY_FALLBACKS"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # No ping per checkout (a round trip on every request): a connection the server
        # dropped fails once, SQLAlchemy then empties the pool; old ones are recycled.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False, "pool_recycle": 1800},
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        # Redis away: limits go on per process (and /healthz says so) rather than fail
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        "RATELIMIT_SIGN_IN": os.environ.get("RATELIMIT_SIGN_IN", "20 per minute;200 per hour"),
        "RATELIMIT_HEADERS_ENABLED": False,
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_ABSOLUTE_HOURS": int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")),
        # the warning before the idle time-out, with a button to stay signed in
        "SESSION_WARN_SECONDS": int(os.environ.get("SESSION_WARN_SECONDS", "120")),
        "LOCKOUT_THRESHOLD": 10,
        "LOCKOUT_MINUTES": 15,
        "INVITATION_HOURS": 72,
        "SIGN_IN_PENDING_MINUTES": 5,
        "ARGON2_TIME_COST": int(os.environ.get("ARGON2_TIME_COST", "3")),
        "ARGON2_MEMORY_KIB": int(os.environ.get("ARGON2_MEMORY_KIB", "65536")),
        "ARGON2_PARALLELISM": 4,
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_NAME": "__Host-teamaround" if secure_cookies else "teamaround",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_PERMANENT": False,
        "REMEMBER_COOKIE_DURATION": 0,
        "WTF_CSRF_TIME_LIMIT": None,  # a token lives exactly as long as its session
        # Referrer-Policy: no-referrer means browsers send no Referer, which Flask-WTF's
        # strict HTTPS check demands; the token plus SameSite=Lax cookies protect instead.
        "WTF_CSRF_SSL_STRICT": False,
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        # "json" (one line per request and per message, for a log collector) or "text"
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "json"),
        # Outgoing email (services/mail.py): MAIL_URL, or MAIL_HOST and the rest; none: off
        **{name: os.environ.get(name) for name in (
            "MAIL_URL", "MAIL_HOST", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD",
            "MAIL_SECURITY", "MAIL_CAFILE", "MAIL_SENDER")},
        "TRUST_PROXY_HOPS": int(os.environ.get("TRUST_PROXY_HOPS", "0")),
        # Host names answered; unset: PUBLIC_BASE_URL's (app/security.py)
        "TRUSTED_HOSTS": [h.strip() for h in os.environ["TRUSTED_HOSTS"].split(",")
                          if h.strip()] if os.environ.get("TRUSTED_HOSTS") else None,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        # The job queue's SQLite file when REDIS_URL is not set (default instance/jobs.sqlite)
        "JOBS_DATABASE": os.environ.get("JOBS_DATABASE"),
        "IMPORT_MAX_BYTES": int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024))),
        "IMPORT_KEEP_HOURS": int(os.environ.get("IMPORT_KEEP_HOURS", "72")),
        "IMPORT_LEASE_SECONDS": int(os.environ.get("IMPORT_LEASE_SECONDS", "60")),
        # a big file's rows are put to the forms by helper processes while the consumer
        # matches and stores the rows already checked (0: all in the consumer)
        "IMPORT_CHECK_PROCESSES": int(os.environ.get(
            "IMPORT_CHECK_PROCESSES", "1" if (os.cpu_count() or 1) > 1 else "0")),
        # a big import's next batches are read and matched by a helper process while the
        # consumer applies the ones before (0: all in the consumer)
        "IMPORT_PLAN_AHEAD": int(os.environ.get(
            "IMPORT_PLAN_AHEAD", "1" if (os.cpu_count() or 1) > 1 else "0")),
        "IMPORT_HELPED_ROWS": int(os.environ.get("IMPORT_HELPED_ROWS", "2000")),
        # /healthz fails when an audit event has waited longer than this to be sealed
        "AUDIT_SEAL_LAG_SECONDS": int(os.environ.get("AUDIT_SEAL_LAG_SECONDS", "300")),
        # A reason stated for a child covers its other pages this long (0: ask every time)
        "REASON_COVER_MINUTES": int(os.environ.get("REASON_COVER_MINUTES", "10")),
        "SEARCH_CAP": int(os.environ.get("SEARCH_CAP", "20")),
        "MONITOR_DAILY_VIEWS": int(os.environ.get("MONITOR_DAILY_VIEWS", "50")),
        "SAR_SECOND_APPROVAL": os.environ.get("SAR_SECOND_APPROVAL", "1") != "0",
        # Used only when the host's own details (Organisation details) name no DPO contact
        "DPO_CONTACT": os.environ.get("DPO_CONTACT"),
        "MEDIATED_RETENTION_DAYS": int(os.environ.get("MEDIATED_RETENTION_DAYS", "365")),
        "ICO_CONTACT": os.environ.get("ICO_CONTACT", "Information Commissioner's Office, "
                                      "Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF; "
                                      "telephone 0303 123 1113; ico.org.uk/make-a-complaint"),
    }
