from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.tokens import device_token_issue
from core.audit import client_ip


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=gettext_lazy("Nama pengguna"))
    password = serializers.CharField(
        label=gettext_lazy("Kata sandi"), style={"input_type": "password"}, trim_whitespace=False
    )
    device_name = serializers.CharField(
        label=gettext_lazy("Nama perangkat"), required=False, allow_blank=True, max_length=100
    )
    otp = serializers.CharField(
        label=gettext_lazy("Kode verifikasi dua langkah"),
        help_text=gettext_lazy("Wajib untuk Admin dan pengguna yang memakai aplikasi autentikator (6 digit)."),
        required=False,
        allow_blank=True,
        max_length=8,
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class DeviceTokenObtainView(APIView):
    """Issues a device token: the password (under the same lockout as the login page), and for Admins and users
    with TOTP a current code in `otp`, as the web login asks (accounts/tokens.py). Errors are raised: one shape."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The plain Django request: django-axes marks lockouts on it, and its middleware answers 429.
        user = authenticate(
            request=request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise ValidationError(_("Nama pengguna atau kata sandi salah."), code="invalid_credentials")
        token, key = device_token_issue(
            actor=user,
            name=serializer.validated_data.get("device_name") or "",
            otp_code=serializer.validated_data.get("otp") or "",
            ip=client_ip(request),
        )
        return Response({"token": key, "expires_at": token.expires_at})
