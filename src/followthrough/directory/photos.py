"""Uploaded profile photos: only real JPEG, PNG, GIF or WebP pictures, re-encoded and
scaled down before anything is stored (no polyglots, no decompression bombs). The
decoding and re-encoding are `people.photos`', shared with the restore of backups."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile

from followthrough.people.photos import (
    PHOTO_FORMAT_ERROR,
    PHOTO_FORMATS,
    PhotoError,
    photo_reencode,
)

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_ACCEPT = ",".join(content_type for _, content_type in PHOTO_FORMATS.values())
# Markup a browser could run, hidden in (or appended to) an image: a polyglot.
_MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|object|embed|svg[\s/>]|!doctype\s+html)", re.IGNORECASE
)


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
        photo = photo_reencode(data)
    except PhotoError as error:
        raise ValidationError(str(error)) from None
    return SimpleUploadedFile(f"photo.{photo.suffix}", photo.data, content_type=photo.content_type)
