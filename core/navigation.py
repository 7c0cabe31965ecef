"""Menu entries registered by each app in its AppConfig.ready(); the navbar shows those the user may use."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str
    url_name: str
    icon: str
    order: int
    #: a Django permission "app.codename", or a callable(user) -> bool, or None for any signed-in user
    permission: str | Callable | None

    def allowed(self, user) -> bool:
        if not user.is_authenticated:
            return False
        if self.permission is None:
            return True
        if callable(self.permission):
            return bool(self.permission(user))
        return user.has_perm(self.permission)

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return "#"


_MENU: dict[str, MenuItem] = {}


def register_menu(*, key, label, url_name, icon, order, permission) -> None:
    _MENU[key] = MenuItem(key, label, url_name, icon, order, permission)


def menu_for(user) -> list[MenuItem]:
    return sorted((item for item in _MENU.values() if item.allowed(user)), key=lambda item: item.order)
