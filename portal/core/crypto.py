"""Encryption of personal data at rest (身份证号, USCC, phone) and keyed hashes for look-ups.

Keys come from the environment (PORTAL_DATA_KEYS: comma-separated Fernet keys, newest first; PORTAL_HASH_KEY)
or are generated once into instance/ like the secret key. `flask keys rotate` adds a new key and re-encrypts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from portal.config import _instance_secret


class KeyRing:
    def __init__(self, keys: list[bytes], hash_key: bytes):
        if not keys:
            raise ValueError("at least one data key is needed")
        self.keys = keys
        self.fernet = MultiFernet([Fernet(k) for k in keys])
        self.hash_key = hash_key

    def encrypt(self, text: str) -> str:
        return self.fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self.fernet.decrypt(token.encode("ascii")).decode("utf-8")

    def rotate(self, token: str) -> str:
        return self.fernet.rotate(token.encode("ascii")).decode("ascii")

    def keyed_hash(self, value: str) -> str:
        """Same input, same hash (for duplicate checks and look-ups); useless without the key."""
        return hmac.new(self.hash_key, value.strip().upper().encode("utf-8"), hashlib.sha256).hexdigest()


_ring: KeyRing | None = None


def keys_file(instance_path: str | Path) -> Path:
    return Path(instance_path) / "data_keys"


def load_keyring(instance_path: str | Path) -> KeyRing:
    env_keys = os.environ.get("PORTAL_DATA_KEYS")
    if env_keys:
        keys = [k.strip().encode() for k in env_keys.split(",") if k.strip()]
    else:
        path = keys_file(instance_path)
        if not path.exists():
            _create_once(path, Fernet.generate_key().decode() + "\n")
        keys = [k.encode() for k in path.read_text().split() if k]
    hash_key = (os.environ.get("PORTAL_HASH_KEY") or _instance_secret(Path(instance_path), "hash_key")).encode()
    return KeyRing(keys, hash_key)


def _create_once(path: Path, text: str) -> None:
    """Create a key file unless another process just did; never overwrite (data would become unreadable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def _write_keys(path: Path, keys: list[bytes]) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(k.decode() for k in keys) + "\n")
    os.replace(tmp, path)


def add_key(instance_path: str | Path) -> list[bytes]:
    """Put a new key first (used for new data); older keys still decrypt until re-encryption is done."""
    path = keys_file(instance_path)
    keys = [k.encode() for k in path.read_text().split() if k] if path.exists() else []
    keys.insert(0, Fernet.generate_key())
    _write_keys(path, keys)
    return keys


def drop_old_keys(instance_path: str | Path) -> None:
    path = keys_file(instance_path)
    keys = [k.encode() for k in path.read_text().split() if k]
    _write_keys(path, keys[:1])


def init_app(app) -> None:
    global _ring
    _ring = load_keyring(app.instance_path)
    app.extensions["portal_keyring"] = _ring


def ring() -> KeyRing:
    if _ring is None:
        raise RuntimeError("the key ring is set up by create_app")
    return _ring


def set_ring(new: KeyRing) -> None:
    global _ring
    _ring = new


class EncryptedText(sa.types.TypeDecorator):
    """A text column stored encrypted (Fernet); reads give back the plain text."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return None if value is None else ring().encrypt(value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        try:
            return ring().decrypt(value)
        except InvalidToken:
            # A key that was dropped too early: the value is unreadable, but the page must not fail.
            return None


class EncryptedJSON(sa.types.TypeDecorator):
    """A JSON value stored encrypted."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect) -> str | None:
        return None if value is None else ring().encrypt(json.dumps(value, ensure_ascii=False))

    def process_result_value(self, value: str | None, dialect) -> Any:
        if value is None:
            return None
        try:
            return json.loads(ring().decrypt(value))
        except InvalidToken:
            return None


def keyed_hash(value: str) -> str:
    return ring().keyed_hash(value)


def mask_id_number(value: str | None) -> str:
    """4113**********1234: enough to recognise, not enough to use."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
