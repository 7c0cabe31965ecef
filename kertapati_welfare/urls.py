from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core.views import healthz

# A database outage met in a middleware ends here: the friendly 503, not the 500 page (core.views.server_error).
handler500 = "core.views.server_error"

admin.site.site_header = _("Administrasi Portal Kesejahteraan Sosial Kertapati")
admin.site.site_title = _("Admin Portal Kertapati")
admin.site.index_title = _("Pengelolaan data")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("akun/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("kertapati_welfare.api_urls")),
    path("registri/", include("beneficiaries.urls")),
    path("program/", include("programs.urls")),
    path("bantuan/", include("aid_distribution.urls")),
    path("infrastruktur/", include("infrastructure.urls")),
    path("pengaduan/", include("grievances.urls")),
    path("laporan/", include("reports.urls")),
    path("lapangan/", include("field_app.urls")),
    path("", include("core.urls")),
]
