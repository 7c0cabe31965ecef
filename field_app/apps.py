from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldAppConfig(AppConfig):
    """The installable offline delivery app for institution workers, served at /lapangan/ (issue: offline app).

    A separate app because it is a client of the aid API, not part of the aid domain: it depends on
    aid_distribution, accounts and core, and nothing depends on it.
    """

    name = "field_app"
    verbose_name = _("Aplikasi lapangan")
