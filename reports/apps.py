from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def can_use_dashboard(user) -> bool:
    return user.has_perm("reports.view_dashboard")


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Laporan")

    # Staf Kecamatan requests reports and reads the dashboard; Staf Kelurahan requests and reads reports of its own
    # kelurahan; Pimpinan reads every report and the dashboard (aggregates only); Petugas Lembaga has no access.
    @property
    def role_permissions(self) -> dict:
        # A property: accounts reads it once the registry is ready, so the Role enum can be imported (an app
        # module may not import models at import time).
        from accounts.models import Role

        return {
            Role.STAF_KECAMATAN: ["view_reportrun", "add_reportrun", "view_dashboard", "view_dashboardaggregate"],
            Role.STAF_KELURAHAN: ["view_reportrun", "add_reportrun"],
            Role.PIMPINAN: ["view_reportrun", "view_dashboard", "view_dashboardaggregate"],
        }

    def ready(self):
        from core import navigation

        navigation.register_menu(
            group=("laporan", _("Laporan"), "bar-chart-line"),
            key="dashboard",
            label=_("Dasbor"),
            url_name="reports:dashboard",
            icon="speedometer2",
            order=80,
            permission=can_use_dashboard,
        )
        navigation.register_menu(
            group=("laporan", _("Laporan"), "bar-chart-line"),
            key="reports",
            label=_("Laporan"),
            url_name="reports:reportrun_list",
            icon="file-earmark-bar-graph",
            order=90,
            permission="reports.view_reportrun",
        )
