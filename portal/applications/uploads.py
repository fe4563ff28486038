"""Attachments: accepted by what the bytes are (PDF, JPEG, PNG), kept under random names behind `storage`."""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from urllib.parse import quote

from flask import Response, send_file
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from portal.applications.storage import storage
from portal.errors import InvalidInput, NotFound

SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


@dataclass
class StoredFile:
    """A checked upload, not yet stored: `put` stores it together with its Attachment row."""

    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    data: bytes = b""


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def clean_name(name: str | None) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return (name or "file")[:120]


def check(upload: FileStorage, max_bytes: int) -> StoredFile:
    """Read and check one upload (nothing is stored yet). Raises InvalidInput with a message for the field."""
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
    return StoredFile(
        secrets.token_hex(16) + extension,
        clean_name(upload.filename),
        content_type,
        len(data),
        hashlib.sha256(data).hexdigest(),
        data,
    )


def put(stored: StoredFile) -> None:
    """Store the bytes in the current transaction (they exist once it commits, and only then)."""
    storage().put(stored.stored_name, stored.data)


def remove(stored_name: str) -> None:
    storage().delete(stored_name)


def send(attachment) -> Response:
    """The one way an attachment is downloaded: as a file to save, never shown inline, never cached."""
    data = storage().get(attachment.stored_name)
    if data is None:
        raise NotFound()
    response = send_file(
        io.BytesIO(data),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.original_name,
        max_age=0,
    )
    response.headers["Content-Disposition"] = disposition(attachment.id, attachment.original_name)
    return response


def disposition(attachment_id: int, name: str) -> str:
    """`filename*` carries the real (UTF-8) name; the plain `filename` for old clients is the name itself when it
    is plain ASCII, else `attachment-<id>.<ext>` (Werkzeug would strip a Chinese name down to ".pdf")."""
    extension = ("." + name.rsplit(".", 1)[1].lower()) if "." in name else ""
    plain = name if name.isascii() and name.isprintable() and '"' not in name and "\\" not in name else ""
    if not plain or plain.startswith("."):
        plain = f"attachment-{attachment_id}{extension if extension.isascii() else ''}"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
