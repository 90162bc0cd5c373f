"""Uploaded profile photos: only real JPEG, PNG, GIF or WebP pictures, re-encoded and
scaled down before anything is stored (no polyglots, no decompression bombs)."""

from __future__ import annotations

import io
import re
import warnings
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000  # far above any camera photo, far below a decompression bomb
PHOTO_MAX_SIDE = 1024  # stored photos are profile pictures, not archives
# Pillow format name → (file suffix, content type). Nothing else is ever stored or served.
PHOTO_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}
PHOTO_ACCEPT = ",".join(content_type for _, content_type in PHOTO_FORMATS.values())
# Markup a browser could run, hidden in (or appended to) an image: a polyglot.
_MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|object|embed|svg[\s/>]|!doctype\s+html)", re.IGNORECASE
)
PHOTO_FORMAT_ERROR = "Upload a JPEG, PNG, GIF or WebP photo (SVG and other files are not accepted)."


def clean_photo_upload(upload: UploadedFile) -> SimpleUploadedFile:
    """Check an uploaded photo and return it re-encoded by Pillow.

    Accepts only JPEG, PNG, GIF and WebP as detected from the bytes (never the name or
    the browser's content type), up to 5 MB and 40 megapixels; refuses files carrying
    HTML, SVG or script. Re-encoding drops anything else riding along (trailing data,
    EXIF location), applies the EXIF rotation and scales down to 1024 px at most.
    """
    if upload.size is not None and upload.size > PHOTO_MAX_BYTES:
        raise ValidationError("The photo is larger than 5 MB; upload a smaller one.")
    data = upload.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError("The photo is larger than 5 MB; upload a smaller one.")
    if not data:
        raise ValidationError("The file is empty.")
    if _MARKUP.search(data):
        raise ValidationError(
            "This file contains web-page code (HTML, SVG or script), so it is not a safe "
            "photo. " + PHOTO_FORMAT_ERROR
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image_format = image.format
            if image_format not in PHOTO_FORMATS:
                raise ValidationError(PHOTO_FORMAT_ERROR)
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise ValidationError("The photo has too many pixels; upload a smaller one.")
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
    ):
        raise ValidationError(PHOTO_FORMAT_ERROR) from None


def _reencode(image: Image.Image, image_format: str) -> SimpleUploadedFile:
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
    return SimpleUploadedFile(f"photo.{suffix}", out.getvalue(), content_type=content_type)
