"""The one API error shape (core.api.exception_handler)."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import serializers
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.errors import Conflict


class _Input(serializers.Serializer):
    count = serializers.IntegerField(min_value=1)
    name = serializers.CharField()


def _answer(exc=None, data=None):
    class Probe(APIView):
        permission_classes = [AllowAny]
        authentication_classes: list = []

        def post(self, request):
            if exc is not None:
                raise exc
            _Input(data=request.data).is_valid(raise_exception=True)

    response = Probe.as_view()(APIRequestFactory().post("/probe/", data or {}, format="json"))
    response.render()
    return response


def test_exception_handler_service_validation_error_keeps_every_message_per_field():
    exc = ValidationError(
        {
            "latitude": [
                ValidationError("Lintang harus antara -90 dan 90.", code="latitude_range"),
                ValidationError("Lintang jauh dari Kota Palembang.", code="far_away"),
            ],
            NON_FIELD_ERRORS: [ValidationError("Periksa lokasi.", code="location")],
        }
    )
    response = _answer(exc)
    assert response.status_code == 400
    assert response.data == {
        "code": "latitude_range",
        "detail": "Periksa lokasi.",
        "fields": {"latitude": ["Lintang harus antara -90 dan 90.", "Lintang jauh dari Kota Palembang."]},
    }


def test_exception_handler_plain_validation_error_has_its_code_and_empty_fields():
    response = _answer(ValidationError("Putaran sudah ditutup.", code="round_closed"))
    assert response.status_code == 400
    assert response.data == {"code": "round_closed", "detail": "Putaran sudah ditutup.", "fields": {}}


def test_exception_handler_serializer_errors_in_the_same_shape():
    response = _answer(data={"count": 0})
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert set(response.data["fields"]) == {"count", "name"}
    assert all(isinstance(m, str) for messages in response.data["fields"].values() for m in messages)
    assert response.data["detail"]


def test_exception_handler_conflict_is_409_with_its_extra_keys():
    exc = Conflict("Sudah diserahkan.", code="already_delivered", extra={"delivered_by": "Sari"})
    response = _answer(exc)
    assert response.status_code == 409
    assert response.data == {"code": "already_delivered", "detail": "Sudah diserahkan.", "delivered_by": "Sari"}


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (PermissionDenied("Anda bukan petugas lembaga ini."), 403, "permission_denied"),
        (Http404(), 404, "not_found"),
        (Throttled(wait=30), 429, "throttled"),
    ],
)
def test_exception_handler_other_errors_have_code_and_detail(exc, status, code):
    response = _answer(exc)
    assert response.status_code == status
    assert response.data["code"] == code
    assert response.data["detail"]
    assert "fields" not in response.data
    if status == 403:
        assert response.data["detail"] == "Anda bukan petugas lembaga ini."
    if status == 429:
        assert response["Retry-After"] == "30"
