"""What every write of the grievances app shares: the permissions it checks, the actor's kelurahan scope, and the
history context of each write (docs/conventions.md: every service takes `actor=` and checks it itself)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import Role
from core import history

ADD_PERMISSION = "grievances.add_grievance"
CHANGE_PERMISSION = "grievances.change_grievance"
ADD_CHANGE_REQUEST_PERMISSION = "grievances.add_changerequest"
APPROVE_PERMISSION = "grievances.approve_changerequest"
ADD_SUBJECT_REQUEST_PERMISSION = "grievances.add_subjectrequest"
CHANGE_SUBJECT_REQUEST_PERMISSION = "grievances.change_subjectrequest"


def audited(actor, operation: str):
    return history.acting_as(actor, operation=operation)


def require(actor, perm: str) -> None:
    """Refuses an actor without `perm` (PermissionDenied: the API answers 403, a page shows 403)."""
    if actor is None or not actor.has_perm(perm):
        raise PermissionDenied(_("Anda tidak berwenang melakukan tindakan ini."))


def check_kelurahan_scope(actor, kelurahan_id: int) -> None:
    """A staff member writes only in the kelurahan of their scope; a worker (Petugas Lembaga) logs what they hear
    anywhere and then sees only what they logged."""
    if actor is None or actor.role == Role.PETUGAS_LEMBAGA:
        return
    scope = actor.kelurahan_scope()
    if scope is not None and kelurahan_id not in scope:
        raise ValidationError({"kelurahan": _("Kelurahan: di luar wilayah tugas Anda.")}, code="out_of_scope")
