from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Pengguna dan peran")

    def ready(self):
        from accounts import roles

        # Groups are derived from every app's `role_permissions`; rebuilding them after each migrate keeps
        # them in step with the permissions that exist (the standard place for this in Django).
        post_migrate.connect(roles.sync_role_groups_after_migrate, dispatch_uid="accounts_sync_role_groups")
