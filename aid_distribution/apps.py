from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidDistributionConfig(AppConfig):
    name = "aid_distribution"
    verbose_name = _("Bantuan lembaga sosial")
    role_permissions = {
        "staf_kecamatan": [
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
        "staf_kelurahan": ["view_entitlement", "view_delivery", "view_supportcase_counts"],
        "petugas_lembaga": [
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
        "pimpinan": ["view_supportcase_counts"],
    }

    def ready(self):
        from aid_distribution import registrations

        registrations.register_all()
