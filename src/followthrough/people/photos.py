"""Profile photos made safe to store: decoded by Pillow as a JPEG, PNG, GIF or WebP
picture of a sane size, and re-encoded, so only pixels are kept — never a file as it
came (no HTML or script riding along, no polyglots, no decompression bombs).

The one re-encoder for every way a photo comes in: the photo upload
(`directory.photos`) and the restore of a backup (`exchange.backup`).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_MAX_PIXELS = 40_000_000  # far above any camera photo, far below a decompression bomb
PHOTO_MAX_SIDE = 1024  # stored photos are profile pictures, not archives
# Pillow format name → (file suffix, content type). Nothing else is ever stored or served.
PHOTO_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}
PHOTO_FORMAT_ERROR = "Upload a JPEG, PNG, GIF or WebP photo (SVG and other files are not accepted)."


class PhotoError(ValueError):
    """The bytes are not a photo we keep; the message says why, for a person to read."""


@dataclass(frozen=True)
class SafePhoto:
    data: bytes
    suffix: str  # from the re-encoded format, never from a file name
    content_type: str


def photo_reencode(data: bytes, *, format_error: str = PHOTO_FORMAT_ERROR) -> SafePhoto:
    """Decode `data` as a JPEG, PNG, GIF or WebP picture (as detected from the bytes) of
    at most `PHOTO_MAX_PIXELS`, and return it re-encoded in the same format, turned by its
    EXIF orientation and scaled down to `PHOTO_MAX_SIDE` px. Raises `PhotoError`."""
    if not data:
        raise PhotoError("The file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image_format = image.format
            if image_format not in PHOTO_FORMATS:
                raise PhotoError(format_error)
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise PhotoError("The photo has too many pixels; upload a smaller one.")
            image.verify()  # checks the structure; the image must be reopened after it
            image = Image.open(io.BytesIO(data))
            image.load()
            return _reencode(image, image_format)
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as error:
        if isinstance(error, PhotoError):
            raise
        raise PhotoError(format_error) from None


def _reencode(image: Image.Image, image_format: str) -> SafePhoto:
    suffix, content_type = PHOTO_FORMATS[image_format]
    image = ImageOps.exif_transpose(image)
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    options: dict[str, Any] = {}
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        options = {"quality": 85, "optimize": True}
    elif image_format == "WEBP":
        options = {"quality": 85}
    elif image_format == "PNG":
        options = {"optimize": True}
    out = io.BytesIO()
    image.save(out, format=image_format, **options)
    return SafePhoto(out.getvalue(), suffix, content_type)
