"""The one shape of every API error (docs/conventions.md, "API errors").

`REST_FRAMEWORK["EXCEPTION_HANDLER"]` points here. Views and viewsets let services raise; nothing maps errors by
hand. Every error body is

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
from rest_framework import exceptions, status
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


def error_response(*, status_code: int, code: str, detail: str, fields: dict | None = None, **extra) -> Response:
    """An error answered by a view itself (rare: most errors are raised and reach the handler)."""
    body = {"code": code, "detail": detail, **extra}
    if fields is not None:
        body["fields"] = fields
    return Response(body, status=status_code)


def exception_handler(exc, context):
    if isinstance(exc, Conflict):
        set_rollback()
        body = _django_validation_body(exc)
        body.pop("fields")
        return Response({**body, **exc.extra}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(_django_validation_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 handling takes over
    if isinstance(exc, exceptions.ValidationError):
        response.data = _drf_validation_body(exc.detail)
        return response
    if isinstance(exc, exceptions.PermissionDenied):
        code = "permission_denied"
    elif isinstance(exc, exceptions.NotFound):
        code = "not_found"
    else:
        code = exc.default_code
    detail = exc.detail
    response.data = {"code": code, "detail": " ".join(_messages(detail))}
    return response
