from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BeneficiariesConfig(AppConfig):
    name = "beneficiaries"
    verbose_name = _("Registri penerima manfaat")
    role_permissions = {
        "staf_kecamatan": [
            "view_household",
            "add_household",
            "change_household",
            "view_member",
            "add_member",
            "change_member",
            "view_consent",
            "add_consent",
            "change_consent",
            "reveal_nik",
            "view_sensitive",
            "export_household",
        ],
        "staf_kelurahan": [
            "view_household",
            "add_household",
            "change_household",
            "view_member",
            "add_member",
            "change_member",
            "view_consent",
            "add_consent",
            "change_consent",
            "view_sensitive",
            "export_household",
        ],
    }
