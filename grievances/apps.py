from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrievancesConfig(AppConfig):
    name = "grievances"
    verbose_name = _("Pengaduan dan permintaan perubahan data")
