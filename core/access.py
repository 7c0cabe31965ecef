"""Who may act: the one "signed-in and active" guard and the one page-permission mixin (docs/conventions.md).

Every `visible_to(user)` starts from `is_signed_in(user)`; every page view that needs a signed-in user or a
permission inherits `PermissionMixin`. Anonymous visitors are sent to the login page on every page; a signed-in
user without the permission gets 403. "Not yours" is decided later, by the selectors, and is a 404.
"""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin


def is_signed_in(user) -> bool:
    """A real, active account (AnonymousUser, None and deactivated users are not)."""
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)


class PermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Login required; `permission_required` (a name or a tuple, all needed) checked when set.

    Leave `permission_required` unset for pages that every signed-in user may open and that scope their data
    through selectors (e.g. "Tugas saya"). Django's `handle_no_permission` already redirects anonymous users and
    raises PermissionDenied (403) for signed-in ones, as long as `raise_exception` stays False.
    """

    permission_required: str | tuple[str, ...] | None = None

    def has_permission(self) -> bool:
        if self.permission_required is None:
            return is_signed_in(self.request.user)
        return is_signed_in(self.request.user) and super().has_permission()
