from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _is_field_worker(user) -> bool:
    from accounts.models import Role

    return user.role == Role.PETUGAS_LEMBAGA


class FieldAppConfig(AppConfig):
    """The installable offline delivery app for institution workers, served at /lapangan/ (issue: offline app).

    A separate app because it is a client of the aid API, not part of the aid domain: it depends on
    aid_distribution, accounts and core, and nothing depends on it.
    """

    name = "field_app"
    verbose_name = _("Aplikasi lapangan")

    def ready(self):
        from core import navigation

        navigation.register_menu(
            key="field_app",
            label=_("Aplikasi lapangan"),
            url_name="field_app:app",
            icon="phone",
            order=90,
            permission=_is_field_worker,
        )
