"""Every setting of the portal, read from the environment, with its default and why."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _instance_secret(instance_path: Path, filename: str, nbytes: int = 32) -> str:
    """Read a secret kept in instance/, creating it on first run: never a hard-coded key."""
    path = instance_path / filename
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(nbytes)
    # Write to a temporary file and rename, so two processes starting at once agree on one key.
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    try:
        os.link(tmp, path)  # fails if another process won the race; then we read theirs
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text().strip()


def build_config(instance_path: str) -> dict:
    instance = Path(instance_path)
    debug = _flag("FLASK_DEBUG", False)
    data_dir = Path(os.environ.get("PORTAL_DATA_DIR") or instance)
    upload_file_mb = float(os.environ.get("PORTAL_UPLOAD_MAX_FILE_MB", "10"))
    upload_application_mb = float(os.environ.get("PORTAL_UPLOAD_MAX_APPLICATION_MB", "30"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'portal.sqlite3'}"
    # Heroku-style URLs name the old driver; we use psycopg 3.
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    return {
        # Signing key for sessions and CSRF tokens: from the environment, else generated once into instance/.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance, "secret_key"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Uploads and the search index live here; outside the web root.
        "PORTAL_DATA_DIR": str(data_dir),
        "CONTENT_DIR": os.environ.get("PORTAL_CONTENT_DIR") or str(Path(instance_path).parent / "content"),
        # Cookies only over HTTPS in production. `make run` serves plain HTTP on loopback and turns this off.
        "SESSION_COOKIE_SECURE": _flag("PORTAL_COOKIE_SECURE", not debug),
        "REMEMBER_COOKIE_SECURE": _flag("PORTAL_COOKIE_SECURE", not debug),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Sessions end after two hours without a request (unless "remember me" was chosen).
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("PORTAL_SESSION_MINUTES", "120")) * 60,
        "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session; long forms are filled slowly
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ["zh_Hans_CN", "en"],
        # Rate limits and login throttling: in memory by default (each worker counts alone: development only);
        # production sets a Redis URI, so that every worker and server shares the counts.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Reverse proxies in front of the portal whose X-Forwarded-For/-Proto are trusted: 1 behind nginx, 0 when
        # the portal faces the internet itself (then those headers are ignored; anyone could forge them).
        "TRUSTED_PROXIES": int(os.environ.get("PORTAL_TRUSTED_PROXIES", "0")),
        "RATELIMIT_HEADERS_ENABLED": True,
        "PAGE_SIZE": 12,
        # Keep rendered public pages for anonymous visitors until the content changes (see portal/core/cache.py).
        "PAGE_CACHE": _flag("PORTAL_PAGE_CACHE", True),
        # Its size per worker process, in bytes (bodies and headers); least recently used pages are dropped first.
        "PAGE_CACHE_MAX_BYTES": int(float(os.environ.get("PORTAL_PAGE_CACHE_MB", "32")) * 1024 * 1024),
        "API_MAX_PER_PAGE": 100,
        "SEND_FILE_MAX_AGE_DEFAULT": 7 * 24 * 3600,
        # Where SMS go: a class with send(message); the default only logs them (development).
        "NOTIFY_SENDER": os.environ.get("PORTAL_NOTIFY_SENDER", "portal.notify.services:LogSender"),
        # Send queued messages right after each request (development); production runs `flask notify send`.
        "NOTIFY_DELIVER_INLINE": _flag("PORTAL_NOTIFY_INLINE", debug),
        # Outbox rows (SMS texts, encrypted) older than this are deleted by `flask notify purge` (daily, from cron).
        "NOTIFY_OUTBOX_RETENTION_DAYS": int(os.environ.get("PORTAL_OUTBOX_RETENTION_DAYS", "30")),
        # Development only: /account/dev/outbox shows the messages that would have been sent (and keeps the
        # verification codes in them readable there; everywhere else they are removed once handed over).
        "DEV_OUTBOX_PAGE": _flag("PORTAL_DEV_OUTBOX", debug),
        # 创业导师乡村行: minimum time between a mentor's visits in different counties, and visits per place per day.
        "VISIT_TRAVEL_GAP_MINUTES": int(os.environ.get("PORTAL_VISIT_TRAVEL_GAP_MINUTES", "120")),
        "VISIT_PLACE_DAILY_CAP": int(os.environ.get("PORTAL_VISIT_PLACE_DAILY_CAP", "2")),
        "UPLOAD_MAX_FILE_MB": upload_file_mb,
        "UPLOAD_MAX_APPLICATION_MB": upload_application_mb,
        # A whole request may carry every attachment field at the file limit, so the form's own checks
        # (per file, per application, per account) answer at the field before the request is refused whole.
        "MAX_CONTENT_LENGTH": int(
            float(os.environ.get("PORTAL_MAX_REQUEST_MB") or (upload_application_mb + upload_file_mb + 2)) * 1048576
        ),
        # Where attachment bytes are kept (portal/applications/storage.py): "database" (the default) stores
        # them in the stored_blob table, in the same transaction as their Attachment row.
        "STORAGE_BACKEND": os.environ.get("PORTAL_STORAGE_BACKEND", "database"),
        # Per-applicant quotas, and how long an untouched draft is kept (`flask applications purge-drafts`).
        "APPLICANT_MAX_DRAFTS": int(os.environ.get("PORTAL_APPLICANT_MAX_DRAFTS", "10")),
        "APPLICANT_MAX_ATTACHMENTS": int(os.environ.get("PORTAL_APPLICANT_MAX_ATTACHMENTS", "60")),
        "APPLICANT_MAX_UPLOAD_MB": float(os.environ.get("PORTAL_APPLICANT_MAX_UPLOAD_MB", "200")),
        "DRAFT_EXPIRY_DAYS": int(os.environ.get("PORTAL_DRAFT_EXPIRY_DAYS", "30")),
        # 站内消息: replies to a decided application are taken this many days after the decision; the staff's
        # daily digest (`flask notify digest`) lists items due within this many working days.
        "REPLY_DAYS_AFTER_DECISION": int(os.environ.get("PORTAL_REPLY_DAYS_AFTER_DECISION", "30")),
        "DIGEST_DUE_SOON_DAYS": int(os.environ.get("PORTAL_DIGEST_DUE_SOON_DAYS", "2")),
        # 好差评: a rating may be changed this many days after it was given; a poor one is answered by the unit's
        # lead within this many working days; public pages show ratings only from this many on (anonymity).
        "RATING_CHANGE_DAYS": int(os.environ.get("PORTAL_RATING_CHANGE_DAYS", "7")),
        "FOLLOW_UP_WORKING_DAYS": int(os.environ.get("PORTAL_FOLLOW_UP_WORKING_DAYS", "5")),
        "RATINGS_PUBLIC_MIN": int(os.environ.get("PORTAL_RATINGS_PUBLIC_MIN", "5")),
        # Saving or submitting an application form: per account.
        "APPLY_RATE_LIMIT": os.environ.get("PORTAL_APPLY_RATE_LIMIT", "20/minute;200/hour"),
    }
