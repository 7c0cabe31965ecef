"""Checking and resizing uploaded progress photos with Pillow (docs/quality.md S9).

The size limit is checked before Pillow reads a byte; the type is decided by the image content, never by the
file name; the output is a fresh JPEG, so nothing the uploader embedded survives except, when asked, the GPS
position (useful evidence of where the photo was taken, but personal data when taken at someone's home).
"""

import io
import secrets
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_SIDE_PX = 1600
# A decompression bomb (a tiny file declaring a huge canvas) is refused before decoding.
MAX_PIXELS = 60_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}
MAX_PHOTOS_PER_UPDATE = 10


@dataclass(frozen=True)
class PreparedPhoto:
    content: ContentFile
    width: int
    height: int
    has_gps: bool


def _label(uploaded) -> str:
    return getattr(uploaded, "name", "") or _("tanpa nama")


def prepare_photo(uploaded, *, keep_gps: bool) -> PreparedPhoto:
    """Returns the photo as a JPEG at most 1600 px on its long side, or raises ValidationError in Indonesian."""
    name = _label(uploaded)
    size = getattr(uploaded, "size", None)
    if size is None or size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("Foto “%(name)s” terlalu besar (%(size)s MB); batasnya %(max)d MB.")
            % {"name": name, "size": f"{(size or 0) / 1024 / 1024:.1f}".replace(".", ","), "max": 8},
            code="photo_too_large",
        )
    if size == 0:
        raise ValidationError(_("Foto “%(name)s” kosong (0 byte).") % {"name": name}, code="photo_empty")
    not_an_image = ValidationError(
        _("Berkas “%(name)s” bukan gambar JPEG, PNG atau WebP yang valid.") % {"name": name}, code="photo_not_image"
    )
    try:
        uploaded.seek(0)
        data = uploaded.read()
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise not_an_image
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    _("Foto “%(name)s” beresolusi terlalu tinggi (%(w)d×%(h)d piksel).")
                    % {"name": name, "w": probe.width, "h": probe.height},
                    code="photo_too_many_pixels",
                )
            probe.verify()  # checks the file's structure; the object is unusable afterwards
            image = Image.open(io.BytesIO(data))
            image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning):
        raise not_an_image

    gps = None
    if keep_gps:
        try:
            gps = dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo)) or None
        except Exception:  # a malformed EXIF block only means there is no usable position
            gps = None
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX), Image.Resampling.LANCZOS)
    exif = Image.Exif()
    if gps:
        exif[ExifTags.IFD.GPSInfo] = gps
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True, exif=exif.tobytes())
    return PreparedPhoto(
        content=ContentFile(out.getvalue(), name=f"{secrets.token_hex(12)}.jpg"),
        width=image.width,
        height=image.height,
        has_gps=bool(gps),
    )
