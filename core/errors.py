"""Errors that services raise besides Django's ValidationError and PermissionDenied (docs/conventions.md)."""

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The write is refused because of the state of the data, not the input: already delivered, already decided,
    changed by someone else. Pages show it like any ValidationError; the API answers 409. `extra` is added to the
    API body as it is (e.g. who delivered and when)."""

    def __init__(self, message, *, code: str, extra: dict | None = None, params=None):
        super().__init__(message, code=code, params=params)
        self.extra = extra or {}
