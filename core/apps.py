from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Wilayah dan referensi")

    @property
    def role_permissions(self) -> dict:
        # A property: accounts reads it once the registry is ready, so the Role enum can be imported (an app
        # module may not import models at import time).
        from accounts.models import Role

        return {
            Role.STAF_KECAMATAN: ["view_kelurahan", "view_rt"],
            Role.STAF_KELURAHAN: ["view_kelurahan", "view_rt"],
            Role.PETUGAS_LEMBAGA: ["view_kelurahan"],
            Role.PIMPINAN: ["view_kelurahan"],
        }

    def ready(self):
        from django.db.models.signals import post_migrate

        from core import navigation, pgfunctions, retention, stats, wilayah

        post_migrate.connect(wilayah.ensure_kelurahan_after_migrate, dispatch_uid="core_ensure_kelurahan")
        post_migrate.connect(pgfunctions.install_after_migrate, dispatch_uid="core_pg_functions")

        navigation.register_menu(
            key="home", label=_("Beranda"), url_name="core:home", icon="house", order=0, permission=None
        )
        stats.register_kelurahan_stat(key="rt", label=_("RT terdaftar"), order=90, counter=stats.count_rt)
        retention.register_handler(key="audit_event", run=retention.audit_events_purge_expired)
