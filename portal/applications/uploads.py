"""Attachments: accepted by what the bytes are (PDF, JPEG, PNG), stored under random names, atomically."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Response, current_app, send_file
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from portal.errors import InvalidInput

SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


@dataclass
class StoredFile:
    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def upload_root() -> Path:
    return Path(current_app.config["PORTAL_DATA_DIR"]) / "uploads"


def path_for(stored_name: str) -> Path:
    # Two levels of fan-out keep directories small; names are random, never the user's.
    return upload_root() / stored_name[:2] / stored_name


def clean_name(name: str | None) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return (name or "file")[:120]


def store(upload: FileStorage, max_bytes: int) -> StoredFile:
    """Check and write one upload. Raises InvalidInput with a message for the field."""
    data = upload.stream.read(max_bytes + 1)
    if not data:
        raise InvalidInput(_("文件是空的，请重新选择。"))
    if len(data) > max_bytes:
        raise InvalidInput(_("文件超过 %(mb)s MB，请压缩后再上传。", mb=format(max_bytes / 1048576, "g")))
    kind = sniff(data[:16])
    if kind is None:
        raise InvalidInput(
            _("只能上传 PDF、JPG 或 PNG 格式的文件（“%(name)s”不是）。", name=clean_name(upload.filename))
        )
    content_type, extension = kind
    stored_name = secrets.token_hex(16) + extension
    target = path_for(stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return StoredFile(
        stored_name, clean_name(upload.filename), content_type, len(data), hashlib.sha256(data).hexdigest()
    )


def remove(stored_name: str) -> None:
    path_for(stored_name).unlink(missing_ok=True)


def send(attachment) -> Response:
    """The one way an attachment is downloaded: as a file to save, never shown inline, never cached."""
    return send_file(
        path_for(attachment.stored_name),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.original_name,
        max_age=0,
    )
