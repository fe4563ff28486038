"""Photos of a story, made on the server: only JPEG, PNG or WebP images are accepted (recognised by Pillow from
their bytes, not their name), at most 10 MB and 40 megapixels; each is turned upright, re-encoded as JPEG at most
1600 px (and a 480 px copy for lists) and so loses its EXIF data (where and when it was taken, the phone)."""

from __future__ import annotations

import io
import warnings

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.errors import InvalidInput

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG", "PNG", "WEBP"}
LONG_SIDE, THUMB_SIDE = 1600, 480
QUALITY = 82


class PhotoError(InvalidInput):
    def __init__(self, message: str):
        super().__init__(message)
        self.errors = {"photo": message}


def _jpeg(image: Image.Image, side: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=QUALITY, optimize=True)  # no exif= argument: nothing of the original's is kept
    return out.getvalue()


def process(data: bytes) -> tuple[bytes, bytes, int, int]:
    """(photo, thumbnail, width, height) of an uploaded image; PhotoError with a message otherwise."""
    if not data:
        raise PhotoError(_("请选择要上传的照片。"))
    if len(data) > MAX_BYTES:
        raise PhotoError(_("照片太大了（最大 10 MB）。"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                if opened.format not in FORMATS:
                    raise PhotoError(_("只能上传 JPEG、PNG 或 WebP 格式的照片。"))
                if opened.width * opened.height > MAX_PIXELS:
                    raise PhotoError(_("照片像素太多了（最多 4000 万像素），请缩小后再传。"))
                image = ImageOps.exif_transpose(opened)
                image.load()
    except PhotoError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(_("这不是能识别的图片文件，只能上传 JPEG、PNG 或 WebP 格式的照片。")) from None
    except (OSError, ValueError, SyntaxError):
        raise PhotoError(_("照片文件已损坏，无法读取，请换一张。")) from None
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        image = background
    else:
        image = image.convert("RGB")
    photo = _jpeg(image, LONG_SIDE)
    with Image.open(io.BytesIO(photo)) as made:
        width, height = made.size
    return photo, _jpeg(image, THUMB_SIDE), width, height


SCAN_TYPES = {b"%PDF": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png"}


def scan_type(data: bytes) -> str | None:
    """The MIME type of a consent scan (PDF, JPEG or PNG, by its first bytes), None for anything else."""
    return next((mime for magic, mime in SCAN_TYPES.items() if data.startswith(magic)), None)
