"""Handover photos: the file name, the service-side check and the photo sent after the delivery (offline app).

The check of the file itself (size, type by content) is `aid_distribution.photos.photo_check`, shared with the
portal's form."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from aid_distribution.models import Delivery
from aid_distribution.photos import photo_check
from aid_distribution.services.institutions import member_institution_ids


def delivery_photo_name(delivery: Delivery) -> str:
    return f"{delivery.client_uuid}.jpg"


def delivery_photo_clean(photo):
    """The same photo check as the portal's form (`photos.photo_check`); errors keyed on `photo`."""
    if not photo:
        raise ValidationError({"photo": ValidationError(_("Pilih foto bukti."), code="required")})
    try:
        return photo_check(photo)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.error_list})


@dataclass(frozen=True)
class PhotoResult:
    delivery: Delivery
    #: False when the delivery already had its photo (a resend): nothing was changed
    created: bool


@transaction.atomic
def delivery_attach_photo(*, actor, delivery: Delivery, photo) -> PhotoResult:
    """Adds the proof photo sent after the delivery itself (offline app); the first photo is kept.

    The row is locked, so two concurrent uploads for one delivery store exactly one file.
    """
    delivery = Delivery.objects.select_for_update().select_related("entitlement__round").get(pk=delivery.pk)
    if delivery.entitlement.round.institution_id not in member_institution_ids(actor):
        raise PermissionDenied(_("Hanya petugas lembaga ini yang dapat mengunggah foto penyerahan."))
    if delivery.photo:
        return PhotoResult(delivery, created=False)
    photo = delivery_photo_clean(photo)
    delivery.photo.save(delivery_photo_name(delivery), photo, save=False)
    delivery.save(update_fields=["photo"])
    return PhotoResult(delivery, created=True)
