from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Pengguna dan peran")

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from accounts import roles, signals

        # Audit events are the one thing signals are right for here: they observe, they change nothing.
        user_logged_in.connect(signals.on_logged_in, dispatch_uid="accounts_audit_login")
        user_logged_out.connect(signals.on_logged_out, dispatch_uid="accounts_audit_logout")
        user_login_failed.connect(signals.on_login_failed, dispatch_uid="accounts_audit_login_failed")
        user_locked_out.connect(signals.on_locked_out, dispatch_uid="accounts_audit_lockout")

        # Groups are derived from every app's `role_permissions`; rebuilding them after each migrate keeps
        # them in step with the permissions that exist (the standard place for this in Django).
        post_migrate.connect(roles.sync_role_groups_after_migrate, dispatch_uid="accounts_sync_role_groups")
