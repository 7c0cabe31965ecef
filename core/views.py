from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from core import health, selectors
from core.access import PermissionMixin


class HomeView(PermissionMixin, TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stats"], context["rows"] = selectors.kelurahan_overview(user=self.request.user)
        return context


def server_error(request):
    """handler500. A database outage met before the view (loading the session or the user in a middleware) is not
    a bug: it gets the friendly 503 that DatabaseUnavailableMiddleware gives for errors raised in views."""
    import sys

    from django.views.defaults import server_error as default_server_error

    from core.middleware import database_unavailable_response, is_database_unavailable

    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response(request)
    return default_server_error(request)


@never_cache
@require_GET
def healthz(request):
    database = health.database_status()
    broker = health.broker_status()
    healthy = database == "ok" and broker == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )


class PrivacyNoticeView(TemplateView):
    """Pemberitahuan Privasi (UU PDP): public, so that residents can read it before they consent."""

    template_name = "core/privacy.html"

    def get_context_data(self, **kwargs):
        from django.conf import settings

        from core import privacy

        context = super().get_context_data(**kwargs)
        context.update(
            purposes=privacy.PURPOSES,
            retention=privacy.RETENTION,
            version=privacy.NOTICE_VERSION,
            dpo={"name": settings.DPO_NAME, "email": settings.DPO_EMAIL, "phone": settings.DPO_PHONE},
        )
        return context
