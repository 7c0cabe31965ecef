"""Writes on users: the role decides group membership and staff status, in one place.

`actor` is the Admin doing it (Django admin), or None for the system itself: the demo seed, management
commands and benchmarks, which run with the operator's shell rights, not as a portal user.
"""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.roles import group_name_for


def _check_actor(actor: User | None) -> None:
    if actor is not None and not (actor.is_active and actor.is_admin_role):
        raise PermissionDenied(_("Hanya Admin yang dapat mengelola akun pengguna."))


def user_apply_role(*, actor: User | None, user: User) -> None:
    """Puts the user in exactly the group of its role; only Admin may use Django admin."""
    _check_actor(actor)
    if user.role == Role.STAF_KELURAHAN and user.kelurahan_id is None:
        raise ValidationError({"kelurahan": _("Staf Kelurahan wajib memiliki kelurahan tugas.")}, code="no_kelurahan")
    role_groups = Group.objects.filter(name__in=[r.label for r in Role])
    group, _created = Group.objects.get_or_create(name=group_name_for(user.role))
    user.groups.remove(*role_groups.exclude(pk=group.pk))
    user.groups.add(group)
    is_staff = user.role == Role.ADMIN or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    kelurahan=None,
    kelurahan_set=(),
) -> User:
    _check_actor(actor)
    user = User(
        username=username,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        kelurahan=kelurahan,
    )
    if password:
        # Length >= 10, not common, not all digits, not like the username (docs/quality.md, issue 10).
        validate_password(password, user=user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    if kelurahan_set:
        user.kelurahan_set.set(kelurahan_set)
    user_apply_role(actor=actor, user=user)
    return user
