from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidDistributionConfig(AppConfig):
    name = "aid_distribution"
    verbose_name = _("Bantuan lembaga sosial")

    @property
    def role_permissions(self) -> dict[str, list[str]]:
        """The permissions of each role in this app (accounts.roles builds the groups from them); a property
        because `Role` lives in accounts.models, which cannot be imported before the app registry is ready."""
        from accounts.models import Role

        return {
            Role.STAF_KECAMATAN: [
                "view_institution",
                "view_institutionmembership",
                "view_commodity",
                "view_aidpackage",
                "view_packageitem",
                "view_distributionround",
                "approve_distributionround",
                "view_coordination",
                "view_entitlement",
                "view_delivery",
                "view_undeliveredvisit",
                "view_stockmovement",
                "view_supportcase_counts",
            ],
            Role.STAF_KELURAHAN: ["view_entitlement", "view_delivery", "view_supportcase_counts"],
            Role.PETUGAS_LEMBAGA: [
                "view_institution",
                "view_commodity",
                "view_aidpackage",
                "view_packageitem",
                "view_distributionround",
                "add_distributionround",
                "change_distributionround",
                "view_entitlement",
                "add_entitlement",
                "delete_entitlement",
                "view_delivery",
                "add_delivery",
                "view_undeliveredvisit",
                "add_undeliveredvisit",
                "view_stockmovement",
                "add_stockmovement",
                "view_supportcase",
                "add_supportcase",
                "view_supportsession",
                "add_supportsession",
            ],
            Role.PIMPINAN: ["view_supportcase_counts"],
        }

    def ready(self):
        from aid_distribution import registrations

        registrations.register_all()
