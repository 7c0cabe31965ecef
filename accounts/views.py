import base64
import io
from datetime import timedelta

import qrcode
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView
from django_otp import login as otp_login

from accounts import otp
from accounts.forms import LoginForm, TotpForm
from accounts.middleware import LAST_SEEN_KEY, LOGIN_AT_KEY
from accounts.models import DeviceToken
from accounts.tokens import device_token_revoke
from core.access import PermissionMixin
from core.audit import audit_event
from core.models import AuditAction


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": _("Masuk")}

    def form_valid(self, form):
        response = super().form_valid(form)  # logs in and rotates the session key
        now = int(timezone.now().timestamp())
        self.request.session[LOGIN_AT_KEY] = now
        self.request.session[LAST_SEEN_KEY] = now
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET): logout is a state change (docs/quality.md S6)."""


def lockout_response(request, original_response=None, credentials=None):
    """Shown instead of checking the password once an account has 5 failures in 15 minutes (S3)."""
    username = get_client_username(request, credentials) or ""
    cool_off = get_cool_off(request) or timedelta(minutes=15)
    last_attempt = (
        AccessAttempt.objects.filter(username=username).order_by("-attempt_time").values_list("attempt_time", flat=True)
    ).first()
    retry_at = (last_attempt or timezone.now()) + cool_off
    message = _("Akun ini dikunci sementara karena 5 kali gagal masuk. Coba lagi setelah %(time)s WIB.") % {
        "time": timezone.localtime(retry_at).strftime("%H.%M")
    }
    if request.path.startswith("/api/"):
        # The API's one error shape (core/api.py); axes calls this outside DRF, so it is built here.
        return JsonResponse({"code": "locked_out", "detail": message, "retry_at": retry_at.isoformat()}, status=429)
    form = LoginForm(request, initial={"username": username})
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_out": True, "retry_at": retry_at, "title": _("Masuk")},
        status=429,
    )


class DeviceTokenListView(PermissionMixin, ListView):
    """The user's own API tokens (field phones), with a revoke button each."""

    template_name = "accounts/devicetoken_list.html"
    context_object_name = "tokens"

    def get_queryset(self):
        return DeviceToken.objects.filter(user=self.request.user).order_by("-created_at")


class DeviceTokenRevokeView(PermissionMixin, View):
    def post(self, request, pk):
        token = DeviceToken.objects.filter(user=request.user, pk=pk).first()
        if token is None:
            raise Http404
        device_token_revoke(actor=request.user, token=token)
        messages.success(request, _("Token untuk perangkat %(name)s dicabut.") % {"name": token.name})
        return redirect("accounts:devicetoken_list")


class OtpSetupView(PermissionMixin, View):
    """Pairs an authenticator app: shows a QR code and the secret, then asks for one code to confirm."""

    template_name = "accounts/otp_setup.html"

    def get(self, request):
        if otp.has_confirmed_device(request.user) and request.user.is_verified():
            return redirect("core:home")
        device = otp.pending_device(request.user) or otp.totp_device_start(actor=request.user)
        return render(request, self.template_name, self._context(device, TotpForm()))

    def post(self, request):
        device = otp.pending_device(request.user)
        form = TotpForm(request.POST)
        if device is None:
            return redirect("accounts:otp_setup")
        if form.is_valid():
            if otp.totp_device_confirm(actor=request.user, device=device, token=form.cleaned_data["token"]):
                otp_login(request, device)
                messages.success(request, _("Verifikasi dua langkah aktif."))
                return redirect("core:home")
            form.add_error("token", _("Kode salah atau sudah kedaluwarsa. Masukkan kode terbaru dari aplikasi."))
        return render(request, self.template_name, self._context(device, form), status=400)

    @staticmethod
    def _context(device, form):
        secret = base64.b32encode(device.bin_key).decode()
        return {"form": form, "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))}


class OtpQrView(PermissionMixin, View):
    """The pending device's otpauth:// URL as a PNG QR code (no-store: it carries the secret)."""

    def get(self, request):
        device = otp.pending_device(request.user)
        if device is None:
            raise Http404
        image = qrcode.make(device.config_url)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        response = HttpResponse(buffer.getvalue(), content_type="image/png")
        response["Cache-Control"] = "no-store"
        return response


class OtpVerifyView(PermissionMixin, View):
    template_name = "accounts/otp_verify.html"

    def get(self, request):
        return render(request, self.template_name, {"form": TotpForm()})

    def post(self, request):
        form = TotpForm(request.POST)
        if form.is_valid():
            device = otp.totp_match(actor=request.user, token=form.cleaned_data["token"])
            if device is not None:
                otp_login(request, device)
                return redirect(self._next(request))
            audit_event(action=AuditAction.LOGIN_FAILURE, request=request, detail={"step": "totp"})
            form.add_error("token", _("Kode salah atau sudah kedaluwarsa. Masukkan kode terbaru dari aplikasi."))
        return render(request, self.template_name, {"form": form}, status=400)

    @staticmethod
    def _next(request) -> str:
        """`?next=` only when it is a path of this portal: never an open redirect to another site."""
        target = request.GET.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return "core:home"
