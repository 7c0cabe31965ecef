from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.tokens import device_token_issue


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Nama pengguna"))
    password = serializers.CharField(label=_("Kata sandi"), style={"input_type": "password"}, trim_whitespace=False)
    device_name = serializers.CharField(label=_("Nama perangkat"), required=False, allow_blank=True, max_length=100)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class DeviceTokenObtainView(APIView):
    """Issues a device token; the password check is protected by the same lockout as the login page."""

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
            return Response({"detail": _("Nama pengguna atau kata sandi salah.")}, status=status.HTTP_400_BAD_REQUEST)
        token, key = device_token_issue(user=user, name=serializer.validated_data.get("device_name") or "")
        return Response({"token": key, "expires_at": token.expires_at})
