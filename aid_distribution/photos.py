"""The one check for handover photos (docs/quality.md S9): size before parsing, type by content, not by name."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


def photo_check(photo):
    """Returns the file rewound, or raises ValidationError in Indonesian."""
    size = getattr(photo, "size", None)
    if size is None:  # a plain file object (tests, scripts): measure without reading it into memory
        photo.seek(0, 2)
        size = photo.tell()
        photo.seek(0)
    if size > MAX_PHOTO_BYTES:
        raise ValidationError(_("Foto terlalu besar (maksimal 5 MB)."), code="too_big")
    try:
        with Image.open(photo) as image:
            image.verify()
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError(_("Foto harus JPEG, PNG, atau WEBP."), code="bad_type")
    except (UnidentifiedImageError, OSError):
        raise ValidationError(_("Berkas bukan gambar."), code="bad_type")
    photo.seek(0)
    return photo
