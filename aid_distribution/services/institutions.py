"""Who may act for an institution: the checks every aid service starts with."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import Role
from aid_distribution.models import DistributionRound, InstitutionMembership


def member_institution_ids(user) -> set[int]:
    """Institutions the user works for; cached on the user object (a batch of 500 asks 500 times)."""
    if not hasattr(user, "_aid_institution_ids"):
        user._aid_institution_ids = set(
            InstitutionMembership.objects.filter(user=user).values_list("institution_id", flat=True)
        )
    return user._aid_institution_ids


def is_district_staff(user) -> bool:
    return user.is_admin_role or user.role == Role.STAF_KECAMATAN


def require_institution_actor(actor, institution_id: int) -> None:
    if institution_id in member_institution_ids(actor) or actor.is_admin_role:
        return
    raise PermissionDenied(_("Anda bukan petugas lembaga ini."))


def require_round_manager(actor, round_: DistributionRound) -> None:
    """Institution workers manage their own rounds; Staf Kecamatan and Admin may too."""
    if round_.institution_id in member_institution_ids(actor) or is_district_staff(actor):
        return
    raise PermissionDenied(_("Anda tidak berwenang mengelola putaran ini."))
