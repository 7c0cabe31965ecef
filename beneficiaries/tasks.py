"""Background work of the registry: thin tasks that take ids and are safe to run twice (style.md rule 7)."""

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def validate_import_batch_task(batch_id: int) -> int:
    from beneficiaries.services.importing import import_batch_validate

    return import_batch_validate(batch_id=batch_id).pk


@shared_task(acks_late=True)
def detect_duplicates_task(kelurahan_id: int | None = None) -> int:
    """The data-quality queue: likely duplicate members and households without exactly one head (nightly, after
    every committed import, and on the button). Idempotent: a second run adds no flag."""
    from beneficiaries.services.duplicates import duplicates_detect
    from beneficiaries.services.heads import household_flags_detect

    return duplicates_detect(kelurahan_id=kelurahan_id) + household_flags_detect(kelurahan_id=kelurahan_id)


@shared_task(acks_late=True)
def commit_import_batch_task(batch_id: int, user_id: int | None = None) -> int:
    from django.contrib.auth import get_user_model

    from beneficiaries.models import ImportBatch
    from beneficiaries.services.importing import import_batch_commit

    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return import_batch_commit(actor=actor, batch=ImportBatch.objects.get(pk=batch_id)).pk
