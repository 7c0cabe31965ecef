"""Keeps the reference wilayah in the database equal to the shipped code list (docs/domain.md §1.2)."""

from core import reference


def kelurahan_sync(kelurahan_model) -> int:
    """Creates or corrects the six kelurahan; takes the model so that migrations can pass their own."""
    changed = 0
    for row in reference.kertapati_kelurahan():
        _obj, created = kelurahan_model.objects.update_or_create(
            kemendagri_code=row["kemendagri_code"],
            defaults={
                "name": row["name"],
                "official_name": row["official_name"],
                "bps_code": row["bps_code"],
                "postal_code": row["postal_code"],
            },
        )
        changed += created
    return changed


def ensure_kelurahan_after_migrate(sender, using="default", **kwargs) -> None:
    """After migrate and after a test flush (which empties every table), the six kelurahan exist again."""
    if sender.label != "core":
        return
    from core.models import Kelurahan

    if Kelurahan.objects.using(using).count() != len(reference.kertapati_kelurahan()):
        kelurahan_sync(Kelurahan)
