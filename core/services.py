from django.contrib.sessions.models import Session
from django.utils import timezone


def sessions_clear_expired() -> int:
    deleted, _details = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


def apply_changes(instance, data: dict, editable) -> list[str]:
    """Sets on `instance` the fields of `data` that are `editable` and differ from its values; returns their names
    (for `save(update_fields=...)`). Anything else a caller passes is ignored. The one step of every `x_update`."""
    changed = [name for name in editable if name in data and getattr(instance, name) != data[name]]
    for name in changed:
        setattr(instance, name, data[name])
    return changed
