from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfrastructureConfig(AppConfig):
    name = "infrastructure"
    verbose_name = _("Pembangunan infrastruktur")

    # Staf Kelurahan reads the projects serving its kelurahan and reports progress on them; Staf Kecamatan
    # also plans them and moves their status; Pimpinan reads everything; Petugas Lembaga has no access.
    @property
    def role_permissions(self) -> dict:
        # A property: accounts reads it once the registry is ready, so the Role enum can be imported (an app
        # module may not import models at import time).
        from accounts.models import Role

        return {
            Role.STAF_KECAMATAN: [
                "view_infrastructureproject",
                "add_infrastructureproject",
                "change_infrastructureproject",
                "change_status_infrastructureproject",
                "export_infrastructureproject",
                "view_progressupdate",
                "add_progressupdate",
                "view_progressphoto",
                "add_progressphoto",
                "view_projectstatuschange",
            ],
            Role.STAF_KELURAHAN: [
                "view_infrastructureproject",
                "export_infrastructureproject",
                "view_progressupdate",
                "add_progressupdate",
                "view_progressphoto",
                "add_progressphoto",
                "view_projectstatuschange",
            ],
            Role.PIMPINAN: [
                "view_infrastructureproject",
                "export_infrastructureproject",
                "view_progressupdate",
                "view_progressphoto",
                "view_projectstatuschange",
            ],
        }

    def ready(self):
        from core import navigation, panels, stats
        from infrastructure import selectors

        navigation.register_menu(
            key="infrastructure",
            label=_("Infrastruktur"),
            url_name="infrastructure:project_list",
            icon="cone-striped",
            order=50,
            permission=selectors.VIEW_PERMISSION,
        )
        stats.register_kelurahan_stat(
            key="infrastructure_projects",
            label=_("Proyek infrastruktur"),
            order=50,
            counter=selectors.count_projects_per_kelurahan,
        )
        panels.register_panel(
            model_label="beneficiaries.Household",
            key="infrastructure_projects",
            title=_("Infrastruktur di kelurahan ini"),
            template="infrastructure/panels/household_projects.html",
            selector=selectors.household_panel,
            order=50,
        )
