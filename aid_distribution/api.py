"""Delivery API for the field app (docs/architecture.md §5): rounds, entitlements, one delivery, a batch of up to 500.

Status codes: 201 created (a replay of the same client_uuid answers the same 201 and body, with the header
`Idempotent-Replayed: true`); 400 field errors; 404 anything outside the worker's institution; 409 already
delivered, or client_uuid reused with different content (docs/quality.md R1–R3). Errors are raised by the services
and answered by `core.api.exception_handler` in the one body `{"code", "detail", "fields"}`; a batch's items
carry the same body, built by `core.api.error_body`.
"""

from django.db import models
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from aid_distribution import selectors, services
from aid_distribution.models import Delivery, DistributionRound, Entitlement, RecordKind, UndeliveredReason
from beneficiaries.models import Member
from beneficiaries.validators import mask_number
from core.api import ErrorSerializer, error_body

BATCH_LIMIT = 500


# --------------------------------------------------------------------------------------------------------------
# Serializers
# --------------------------------------------------------------------------------------------------------------


class RoundSerializer(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.name")
    package = serializers.CharField(source="package.name")
    entitled = serializers.IntegerField()
    delivered = serializers.IntegerField()

    class Meta:
        model = DistributionRound
        fields = ["id", "name", "institution", "period", "package", "status", "entitled", "delivered"]


class MemberBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = ["id", "full_name", "relationship"]


class EntitlementSerializer(serializers.ModelSerializer):
    household_id = serializers.IntegerField()
    head_name = serializers.CharField(allow_null=True)
    head_nik_masked = serializers.SerializerMethodField()
    address = serializers.CharField(source="household.address")
    rt = serializers.IntegerField(source="household.rt.number")
    rw = serializers.IntegerField(source="household.rt.rw")
    kelurahan = serializers.CharField(source="household.kelurahan.name")
    card_token = serializers.CharField(source="household.card_token", help_text="Token opaque pada QR kartu keluarga.")
    card_code = serializers.CharField(
        source="household.card_code", help_text="Kode pendek di bawah QR (10 huruf/angka, tanpa tanda hubung)."
    )
    delivered_at = serializers.SerializerMethodField()
    delivered_by = serializers.SerializerMethodField()
    members = MemberBriefSerializer(source="household.active_members", many=True)

    class Meta:
        model = Entitlement
        fields = [
            "id",
            "household_id",
            "head_name",
            "head_nik_masked",
            "address",
            "rt",
            "rw",
            "kelurahan",
            "card_token",
            "card_code",
            "delivered_at",
            "delivered_by",
            "members",
        ]

    def get_head_nik_masked(self, obj) -> str:
        return mask_number(obj.head_nik)

    def get_delivered_at(self, obj) -> str | None:
        delivery = getattr(obj, "delivery", None)
        return serializers.DateTimeField().to_representation(delivery.delivered_at) if delivery else None

    def get_delivered_by(self, obj) -> str | None:
        delivery = getattr(obj, "delivery", None)
        return services.display_name(delivery.recorded_by) if delivery else None


class CardLookupQuerySerializer(serializers.Serializer):
    """The query of `rounds/{id}/card/`: one of the two."""

    token = serializers.CharField(required=False, help_text="Token QR kartu keluarga (dipindai).")
    code = serializers.CharField(required=False, help_text="Kode kartu yang diketik, mis. `ABCDE-12345`.")


class DeliveryInputSerializer(serializers.Serializer):
    client_uuid = serializers.UUIDField()
    entitlement = serializers.IntegerField(min_value=1)
    delivered_at = serializers.DateTimeField()
    recipient_member = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    proxy_name = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")
    proxy_relation = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")

    def validate(self, attrs):
        if not attrs.get("recipient_member") and not (attrs.get("proxy_name") and attrs.get("proxy_relation")):
            raise serializers.ValidationError(
                {"recipient_member": _("Isi recipient_member, atau proxy_name dan proxy_relation.")}
            )
        return attrs


class DeliverySerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "client_uuid",
            "entitlement",
            "delivered_at",
            "recipient_member",
            "proxy_name",
            "proxy_relation",
            "latitude",
            "longitude",
            "notes",
            "recorded_by",
            "recorded_at",
        ]


class PhotoUploadSerializer(serializers.Serializer):
    photo = serializers.FileField(
        help_text="Foto bukti penyerahan (JPEG, PNG, atau WEBP; diperiksa dari isinya, maksimal 5 MB)."
    )


class DeliveryPhotoSerializer(serializers.ModelSerializer):
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = ["id", "client_uuid", "has_photo"]

    def get_has_photo(self, obj) -> bool:
        return bool(obj.photo)


class DeliveryConflictSerializer(ErrorSerializer):
    """The one error body of a 409, with who delivered and when (`services.DeliveryConflict.extra`)."""

    code = serializers.ChoiceField(choices=["already_delivered", "client_uuid_conflict"])
    delivered_by = serializers.CharField(required=False, help_text="Hanya pada `already_delivered`.")
    delivered_at = serializers.DateTimeField(required=False, help_text="Hanya pada `already_delivered`.")


class BatchItemSerializer(DeliveryInputSerializer):
    kind = serializers.ChoiceField(choices=RecordKind.choices, default=RecordKind.DELIVERED)
    reason = serializers.ChoiceField(choices=UndeliveredReason.choices, required=False)
    delivered_at = serializers.DateTimeField(help_text="Waktu penyerahan atau kunjungan.")

    def validate(self, attrs):
        if attrs["kind"] == RecordKind.UNDELIVERED:
            if not attrs.get("reason"):
                raise serializers.ValidationError({"reason": _("Alasan wajib untuk kunjungan tidak tersalurkan.")})
            return attrs
        return super().validate(attrs)


class BatchRequestSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=BATCH_LIMIT)


class ItemStatus(models.TextChoices):
    """What happened to one item of a batch (the field app reads these values)."""

    CREATED = "created"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class BatchResultSerializer(serializers.Serializer):
    """One item's result: `id` when created or duplicate; when rejected, the one error body of that item
    (`code`, `detail`, `fields` for field errors, `delivered_by`/`delivered_at` when already delivered)."""

    index = serializers.IntegerField()
    client_uuid = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=ItemStatus.choices)
    id = serializers.IntegerField(required=False)
    code = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
    delivered_by = serializers.CharField(required=False)
    delivered_at = serializers.DateTimeField(required=False)


class BatchResponseSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = BatchResultSerializer(many=True)


# --------------------------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------------------------


def _with_active_members(entitlements):
    """The members each entitlement's serializer lists, in one more query for the whole page."""
    return entitlements.prefetch_related(
        Prefetch(
            "household__members",
            queryset=Member.objects.filter(is_active=True).order_by("relationship", "pk"),
            to_attr="active_members",
        )
    )


class EntitlementPagination(CursorPagination):
    ordering = "id"
    page_size = 500


class RoundViewSet(viewsets.ReadOnlyModelViewSet):
    """My institution's open rounds (approved or distributing) and their entitled households."""

    serializer_class = RoundSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.open_rounds_for_user(user=self.request.user).order_by("-period", "pk")

    @extend_schema(responses=EntitlementSerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=EntitlementSerializer)
    def entitlements(self, request, pk=None):
        round_ = self.get_object()
        rows = _with_active_members(selectors.entitlements_for_round(user=request.user, round_=round_))
        paginator = EntitlementPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(EntitlementSerializer(page, many=True).data)

    @extend_schema(
        parameters=[CardLookupQuerySerializer],
        responses={
            200: EntitlementSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="Token dan kode sama-sama diisi (`card_both`), bukan kode kartu (`card_code_invalid`), "
                "atau kode tidak terdaftar pada putaran ini (`card_code_unknown`).",
            ),
            404: OpenApiResponse(
                ErrorSerializer,
                description="Putaran bukan milik lembaga Anda, tanpa token/kode, atau token QR tidak terdaftar pada "
                "putaran ini.",
            ),
        },
    )
    @action(detail=True, methods=["get"], url_path="card", serializer_class=EntitlementSerializer)
    def card(self, request, pk=None):
        """One household card within this round: the scanned QR (`token`) or the code typed from the card
        (`code`; case, spaces and dashes do not matter). A reissued card's old token and code are refused."""
        round_ = self.get_object()
        found = selectors.entitlement_by_card(user=request.user, round_=round_, data=request.query_params)
        row = _with_active_members(selectors.entitlements_for_round(user=request.user, round_=round_)).get(pk=found.pk)
        return Response(EntitlementSerializer(row).data)


def _service_item(data: dict, *, entitlement: Entitlement, member: Member | None = None) -> dict:
    """The arguments of `services.record_item` for one validated API item."""
    if data.get("kind") == RecordKind.UNDELIVERED:
        return {
            "kind": RecordKind.UNDELIVERED,
            "entitlement": entitlement,
            "client_uuid": data["client_uuid"],
            "reason": data["reason"],
            "visited_at": data["delivered_at"],
            "notes": data.get("notes", ""),
        }
    return {
        "entitlement": entitlement,
        "client_uuid": data["client_uuid"],
        "delivered_at": data["delivered_at"],
        "recipient_member": member,
        "proxy_name": data.get("proxy_name", ""),
        "proxy_relation": data.get("proxy_relation", ""),
        "latitude": data.get("latitude"),
        "longitude": data.get("longitude"),
        "notes": data.get("notes", ""),
    }


class DeliveryCreateAPIView(APIView):
    """Records one delivery; idempotent on client_uuid."""

    @extend_schema(
        request=DeliveryInputSerializer,
        responses={
            201: DeliverySerializer,
            400: OpenApiResponse(ErrorSerializer, description="Kesalahan per kolom (`fields`)."),
            403: OpenApiResponse(ErrorSerializer, description="Bukan petugas lembaga putaran ini."),
            404: OpenApiResponse(ErrorSerializer, description="Hak penerima tidak ditemukan di lembaga Anda."),
            409: OpenApiResponse(DeliveryConflictSerializer, description="Sudah diserahkan, atau client_uuid dipakai."),
        },
    )
    def post(self, request):
        serializer = DeliveryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        entitlement = selectors.entitlement_get_for_user(user=request.user, pk=data["entitlement"])
        member = None
        if data.get("recipient_member"):
            member = get_object_or_404(
                Member.objects.filter(household_id=entitlement.household_id), pk=data["recipient_member"]
            )
        result = services.record_item(actor=request.user, **_service_item(data, entitlement=entitlement, member=member))
        headers = {} if result.created else {"Idempotent-Replayed": "true"}
        return Response(DeliverySerializer(result.delivery).data, status=status.HTTP_201_CREATED, headers=headers)


class DeliveryBatchAPIView(APIView):
    """Up to 500 deliveries (or "tidak tersalurkan" visits) from an offline device, each on its own.

    Each item gets the outcome it would get sent on its own, in order (`services.batch_record`): a refused item
    leaves nothing behind and does not stop the others; resending the batch (whole or the unsent half) answers
    `duplicate` for what is already recorded.
    """

    @extend_schema(
        request=BatchRequestSerializer,
        responses={
            200: BatchResponseSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Bukan daftar `items` 1–500 butir."),
        },
    )
    def post(self, request):
        outer = BatchRequestSerializer(data=request.data)
        outer.is_valid(raise_exception=True)
        items = outer.validated_data["items"]
        parsed = []
        # One serializer validates every item: building 500 serializers costs more than the inserts.
        validator = BatchItemSerializer()
        for raw in items:
            try:
                parsed.append((validator.run_validation(raw), None, raw))
            except serializers.ValidationError as exc:
                parsed.append((None, exc.detail, raw))
        ids = {data["entitlement"] for data, _s, _r in parsed if data}
        # Two queries for the whole batch: the entitlements the worker may reach, and the named members.
        entitlements = {
            e.pk: e
            for e in Entitlement.objects.visible_to(request.user).filter(pk__in=ids).select_related("round").distinct()
        }
        member_ids = {data.get("recipient_member") for data, _s, _r in parsed if data and data.get("recipient_member")}
        members = {m.pk: m for m in Member.objects.filter(pk__in=member_ids)}
        uuids = {data["client_uuid"] for data, _s, _r in parsed if data}
        recorded = {d.client_uuid: d for d in Delivery.objects.filter(client_uuid__in=uuids).order_by()}
        # Each item is first checked against what was loaded above; what is left is recorded by
        # `services.batch_record` in one transaction (one INSERT for the deliveries that cannot collide, one
        # savepoint each for the rest). A refused item leaves nothing behind, and a connection lost before the
        # commit leaves nothing either, so the resend creates everything (R3).
        results, pending = [], {}
        for index, (data, item, raw) in enumerate(parsed):
            results.append(self._check(index, data, item, raw, entitlements, members, recorded))
            if "status" not in results[-1]:
                entitlement = entitlements[data["entitlement"]]
                pending[index] = _service_item(
                    data, entitlement=entitlement, member=members.get(data.get("recipient_member"))
                )
        outcomes = services.batch_record(actor=request.user, items=list(pending.values()))
        for index, outcome in zip(pending, outcomes, strict=True):
            results[index] |= self._outcome(outcome)
        summary = {key: sum(1 for r in results if r["status"] == key) for key in ItemStatus.values}
        return Response({**summary, "results": results})

    @staticmethod
    def _check(index, data, item, raw, entitlements, members, recorded) -> dict:
        """The item's result when it is settled without writing (refused, or a resend of what is recorded);
        otherwise only its index and client_uuid, for the outcome to complete."""
        client_uuid = raw.get("client_uuid") if isinstance(raw, dict) else None
        base = {"index": index, "client_uuid": str(client_uuid) if client_uuid is not None else None}
        if data is None:
            return {**base, **_rejected(serializers.ValidationError(item))}
        entitlement = entitlements.get(data["entitlement"])
        if entitlement is None:
            return {**base, **_rejected(NotFound(_("Hak penerima tidak ditemukan.")))}
        if data.get("kind") == RecordKind.UNDELIVERED:
            return base
        member = None
        if data.get("recipient_member"):
            member = members.get(data["recipient_member"])
            if member is None or member.household_id != entitlement.household_id:
                return {**base, **_rejected(services.recipient_not_member())}
        replayed = recorded.get(data["client_uuid"])
        if replayed is not None:
            # Fast path for a resent batch: the database already holds this uuid; compare instead of inserting.
            candidate = Delivery(
                entitlement_id=entitlement.pk,
                recipient_member=member,
                proxy_name="" if member else data.get("proxy_name", "").strip(),
                proxy_relation="" if member else data.get("proxy_relation", "").strip(),
                notes=data.get("notes", "").strip(),
                delivered_at=data["delivered_at"],
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
            )
            if services.same_delivery(replayed, candidate):
                return {**base, "status": ItemStatus.DUPLICATE, "id": replayed.pk}
        return base

    @staticmethod
    def _outcome(outcome) -> dict:
        if isinstance(outcome, Exception):
            return _rejected(outcome)
        record = getattr(outcome, "delivery", None) or outcome.visit
        return {"status": ItemStatus.CREATED if outcome.created else ItemStatus.DUPLICATE, "id": record.pk}


def _rejected(exc: Exception) -> dict:
    """A refused item: the body the handler would answer had the item been sent alone."""
    _status_code, body = error_body(exc)
    return {"status": ItemStatus.REJECTED, **body}


class DeliveryPhotoAPIView(APIView):
    """The proof photo of a delivery already recorded (by `client_uuid`), sent after it by the offline app.

    201 stored; 200 the delivery already has its photo (a resend: nothing changed, the first photo is kept);
    400 not an image by its content, or too big; 404 no such delivery in your institution.
    """

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={
            201: DeliveryPhotoSerializer,
            200: OpenApiResponse(DeliveryPhotoSerializer, description="Foto sudah ada; tidak ada yang diubah."),
            400: OpenApiResponse(
                ErrorSerializer, description="Berkas bukan gambar, atau terlalu besar (kesalahan pada `fields.photo`)."
            ),
            403: OpenApiResponse(ErrorSerializer, description="Bukan petugas lembaga penyerahan ini."),
            404: OpenApiResponse(ErrorSerializer, description="Penyerahan tidak ditemukan di lembaga Anda."),
        },
    )
    def post(self, request, client_uuid):
        delivery = get_object_or_404(Delivery.objects.visible_to(request.user).distinct(), client_uuid=client_uuid)
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.delivery_attach_photo(
            actor=request.user, delivery=delivery, photo=serializer.validated_data["photo"]
        )
        return Response(
            DeliveryPhotoSerializer(result.delivery).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
