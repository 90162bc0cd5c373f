import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from followthrough.directory.forms import PersonForm, split_commas
from followthrough.directory.photos import clean_photo_upload
from tests.people.helpers import image_bytes, upload


@pytest.mark.parametrize(
    ("image_format", "suffix"), [("GIF", "gif"), ("WEBP", "webp"), ("JPEG", "jpg"), ("PNG", "png")]
)
def test_it_accepts_the_four_photo_formats(image_format, suffix):
    cleaned = clean_photo_upload(upload("whatever.bin", image_bytes(image_format)))
    assert cleaned.name == f"photo.{suffix}"
    assert Image.open(io.BytesIO(cleaned.read())).format == image_format


def test_it_refuses_an_image_with_too_many_pixels():
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="PNG")  # 48 megapixels, a few kB
    with pytest.raises(ValidationError, match="too many pixels"):
        clean_photo_upload(upload("huge.png", out.getvalue()))


def test_it_drops_exif_data_when_reencoding():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make; GPS would ride along the same way
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="JPEG", exif=exif)
    cleaned = clean_photo_upload(upload("me.jpg", out.getvalue(), "image/jpeg"))
    assert not Image.open(io.BytesIO(cleaned.read())).getexif()


def test_it_lists_every_bad_line_at_once():
    form = PersonForm({"first_name": "A", "emails": "bad\nok@x.org\nalso bad@"})
    assert not form.is_valid()
    assert form.errors["emails"] == [
        "Line 1: “bad” is not a valid e-mail address.",
        "Line 3: “also bad@” is not a valid e-mail address.",
    ]


def test_it_splits_commas_without_repeats_or_blanks():
    assert split_commas(" Donor, donor ,, Mentor ", 60, "tag") == ["Donor", "Mentor"]
