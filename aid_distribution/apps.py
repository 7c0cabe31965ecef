from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidDistributionConfig(AppConfig):
    name = "aid_distribution"
    verbose_name = _("Bantuan lembaga sosial")
