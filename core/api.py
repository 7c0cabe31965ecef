"""The one shape of every API error (docs/conventions.md, "API errors").

`REST_FRAMEWORK["EXCEPTION_HANDLER"]` points here. Views and viewsets let services raise; nothing maps errors by
hand. `error_body(exc)` is the one builder of the body (the handler uses it, and so does a view that answers many
items at once, per item); `ErrorSerializer` describes it in the OpenAPI schema. Every error body is

    {"code": "<stable machine code>", "detail": "<Indonesian sentence>", "fields": {"<field>": ["<message>", …]}}

with `fields` present (maybe empty) on 400 and absent otherwise, plus a `Conflict`'s `extra` keys on 409.

| raised                                          | status | code                                   |
|-------------------------------------------------|--------|----------------------------------------|
| core.errors.Conflict                            | 409    | the conflict's code                    |
| django ValidationError (services)               | 400    | the first error's code, else "invalid" |
| rest_framework ValidationError (serializers)    | 400    | "invalid"                              |
| django PermissionDenied / DRF PermissionDenied  | 403    | "permission_denied"                    |
| Http404 / DRF NotFound                          | 404    | "not_found"                            |
| other APIException (auth, throttling, 405 …)    | its    | its default code                       |
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.errors import Conflict

INVALID_DETAIL = "Data tidak valid: periksa kolom yang ditandai."


def _messages(value) -> list[str]:
    """DRF's nested detail (lists, dicts of lists, ErrorDetail) as a flat list of strings."""
    if isinstance(value, dict):
        return [m for item in value.values() for m in _messages(item)]
    if isinstance(value, list | tuple):
        return [m for item in value for m in _messages(item)]
    return [str(value)]


def _django_validation_body(exc: DjangoValidationError) -> dict:
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    codes: list[str] = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            texts = [m for error in errors for m in error.messages]
            codes += [error.code for error in errors if error.code]
            if name == NON_FIELD_ERRORS:
                general += texts
            else:
                fields[name] = texts
    else:
        general = list(exc.messages)
        codes = [error.code for error in exc.error_list if error.code]
    detail = " ".join(general) or " ".join(m for texts in fields.values() for m in texts)
    return {"code": codes[0] if codes else "invalid", "detail": detail or _(INVALID_DETAIL), "fields": fields}


def _drf_validation_body(detail) -> dict:
    if isinstance(detail, dict):
        fields = {name: _messages(value) for name, value in detail.items() if name != "non_field_errors"}
        general = _messages(detail.get("non_field_errors", []))
    else:
        fields, general = {}, _messages(detail)
    return {"code": "invalid", "detail": " ".join(general) or _(INVALID_DETAIL), "fields": fields}


def _as_api_exception(exc):
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    return exc


def error_body(exc) -> tuple[int, dict] | None:
    """The status and body of an error: the one builder, used by the handler and by views that answer several
    items at once (a batch's per-item results). None for what is no API error (a bug: Django's 500 takes over)."""
    if isinstance(exc, Conflict):
        body = _django_validation_body(exc)
        body.pop("fields")
        return status.HTTP_409_CONFLICT, {**body, **exc.extra}
    if isinstance(exc, DjangoValidationError):
        return status.HTTP_400_BAD_REQUEST, _django_validation_body(exc)
    exc = _as_api_exception(exc)
    if not isinstance(exc, exceptions.APIException):
        return None
    if isinstance(exc, exceptions.ValidationError):
        return exc.status_code, _drf_validation_body(exc.detail)
    if isinstance(exc, exceptions.PermissionDenied):
        code = "permission_denied"
    elif isinstance(exc, exceptions.NotFound):
        code = "not_found"
    else:
        code = exc.default_code
    return exc.status_code, {"code": code, "detail": " ".join(_messages(exc.detail))}


def exception_handler(exc, context):
    answer = error_body(exc)
    if answer is None:
        return None  # a real bug: Django's 500 handling takes over
    status_code, body = answer
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(body, status=status_code)
    response = drf_exception_handler(_as_api_exception(exc), context)  # its headers (Retry-After …), its rollback
    response.data = body
    return response


class ErrorSerializer(serializers.Serializer):
    """The one error body, for the OpenAPI schema (`extend_schema(responses={400: ErrorSerializer, …})`)."""

    code = serializers.CharField(help_text="Kode tetap untuk program, mis. `round_locked`, `not_found`.")
    detail = serializers.CharField(help_text="Kalimat untuk pengguna (bahasa Indonesia).")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Hanya pada 400: pesan per kolom.",
    )
