"""The few API answers the field app needs that the aid API does not give (yet), all behind the device token.

- `saya/`: who holds this token (the app refuses other roles with a clear message, and keeps queued records
  bound to the worker who made them);
- `keluar/`: revokes the token of this device at logout (the token endpoint has no revoke);
- `putaran/<id>/kartu/`: the household-card QR tokens and short codes of one round's entitlements, so that a
  card can be scanned, or its code typed, offline. To be dropped: the aid API's entitlement list carries
  `card_token` and `card_code` now, and the app prefers those fields when they are present.

Reads go through aid_distribution's selectors (the same scope as the aid API: 404 for rounds not the worker's).
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import DeviceToken, Role
from accounts.tokens import device_token_revoke
from aid_distribution import selectors


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField()
    is_field_worker = serializers.BooleanField()
    institutions = serializers.ListField(child=serializers.CharField())


class MeAPIView(APIView):
    @extend_schema(responses=MeSerializer, summary="Pemilik token ini (aplikasi lapangan)")
    def get(self, request):
        user = request.user
        institutions = [i.name for i in selectors.institutions_for_user(user=user)]
        return Response(
            {
                "username": user.username,
                "name": user.get_full_name() or user.username,
                "role": user.role,
                "role_label": user.get_role_display(),
                "is_field_worker": user.role == Role.PETUGAS_LEMBAGA,
                "institutions": institutions if user.role == Role.PETUGAS_LEMBAGA else [],
            }
        )


class LogoutAPIView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Cabut token perangkat ini")
    def post(self, request):
        if isinstance(request.auth, DeviceToken):
            device_token_revoke(actor=request.user, token=request.auth)
        return Response(status=204)


class CardSerializer(serializers.Serializer):
    entitlement = serializers.IntegerField()
    card_token = serializers.CharField()
    card_code = serializers.CharField(help_text="Kode pendek di bawah QR (10 huruf/angka, tanpa tanda hubung).")


class RoundCardsAPIView(APIView):
    @extend_schema(responses=CardSerializer(many=True), summary="Token kartu keluarga penerima satu putaran")
    def get(self, request, pk):
        round_ = get_object_or_404(selectors.open_rounds_for_user(user=request.user), pk=pk)
        rows = (
            selectors.entitlements_for_round(user=request.user, round_=round_)
            .order_by("pk")
            .values_list("pk", "household__card_token", "household__card_code")
        )
        return Response([{"entitlement": pk, "card_token": token, "card_code": code} for pk, token, code in rows])
