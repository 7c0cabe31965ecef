"""Role groups and their permissions.

Each app declares, on its AppConfig, `role_permissions = {Role value: [codename, ...]}` for its own
models; `accounts` collects them without importing the apps (docs/architecture.md §2 dependency rule).
The Admin role gets every permission.
"""

from django.apps import apps as global_apps
from django.db import transaction

from accounts.models import Role


def declared_role_permissions(app_configs=None) -> dict[str, set[tuple[str, str]]]:
    wanted: dict[str, set[tuple[str, str]]] = {role.value: set() for role in Role}
    for config in app_configs or global_apps.get_app_configs():
        for role, codenames in getattr(config, "role_permissions", {}).items():
            wanted[role].update((config.label, codename) for codename in codenames)
    return wanted


@transaction.atomic
def sync_role_groups(*, using: str = "default") -> None:
    from django.contrib.auth.models import Group, Permission

    wanted = declared_role_permissions()
    all_permissions = list(Permission.objects.using(using).select_related("content_type"))
    by_key = {(p.content_type.app_label, p.codename): p for p in all_permissions}
    for role in Role:
        group, _created = Group.objects.using(using).get_or_create(name=role.label)
        if role == Role.ADMIN:
            group.permissions.set(all_permissions)
        else:
            group.permissions.set([by_key[key] for key in sorted(wanted[role.value]) if key in by_key])


def sync_role_groups_after_migrate(sender, using="default", **kwargs) -> None:
    # Only once per migrate run: after the last app with models, when every permission exists.
    last = [config for config in global_apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label == last.label:
        sync_role_groups(using=using)


def group_name_for(role: str) -> str:
    return Role(role).label
