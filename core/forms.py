"""Form helpers shared by every app."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_error(form, exc: ValidationError) -> None:
    """A service's ValidationError shown on the form: each field's messages on that field when the form has it,
    otherwise above the form. (`form.add_error(None, exc)` raises ValueError when the service names a field the
    form does not show, and the user would get a 500 instead of the message.)"""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields and name != NON_FIELD_ERRORS else None, errors)
    else:
        form.add_error(None, exc)
