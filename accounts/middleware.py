"""Session lifetime (docs/quality.md S4): 12 hours after login at most, and 30 minutes without activity."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

LOGIN_AT_KEY = "_login_at"
LAST_SEEN_KEY = "_last_seen"
# Writing the session on every request would cost a query each time; a minute's precision is enough.
TOUCH_INTERVAL_SECONDS = 60


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            login_at = request.session.get(LOGIN_AT_KEY, now)
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - login_at > settings.SESSION_COOKIE_AGE or now - last_seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("Sesi Anda telah berakhir. Silakan masuk kembali."))
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect_to_login(request.get_full_path())
            if LOGIN_AT_KEY not in request.session:
                request.session[LOGIN_AT_KEY] = now
            if now - last_seen >= TOUCH_INTERVAL_SECONDS or LAST_SEEN_KEY not in request.session:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Admins (and anyone who enabled TOTP) must pass the second factor before using any page (issue 10)."""

    OPEN_PREFIXES = ("/akun/2fa/", "/akun/keluar/", "/static/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.shortcuts import redirect

        from accounts import otp

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.OPEN_PREFIXES)
            and not user.is_verified()
            and otp.otp_required(user)
        ):
            target = "accounts:otp_verify" if otp.has_confirmed_device(user) else "accounts:otp_setup"
            return redirect(target)
        return self.get_response(request)
