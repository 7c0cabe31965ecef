"""Menu entries registered by each app in its AppConfig.ready(); the navbar shows those the user may use.

Entries that share a `group` (key, label, icon) become one dropdown, so that the bar fits a laptop screen
whatever the number of apps; a group with a single visible entry is shown as that entry.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch

from core import urlcache


@dataclass(frozen=True)
class MenuGroup:
    key: str
    label: str
    icon: str


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str
    url_name: str
    icon: str
    order: int
    #: a Django permission "app.codename", or a callable(user) -> bool, or None for any signed-in user
    permission: str | Callable | None
    group: MenuGroup | None = None

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
        """Reversed once per process (the navbar asks for each item's URL two or three times on every page)."""
        try:
            return urlcache.url(self.url_name)
        except NoReverseMatch:
            return "#"


@dataclass
class MenuEntry:
    """What the navbar renders: one item, or a group of items as a dropdown."""

    key: str
    label: str
    icon: str
    order: int
    items: list = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return len(self.items) > 1

    @property
    def url(self) -> str:
        return self.items[0].url


_MENU: dict[str, MenuItem] = {}


def register_menu(*, key, label, url_name, icon, order, permission, group: tuple | None = None) -> None:
    """`group=("bantuan", _("Bantuan"), "box-seam")` puts the entry in that dropdown."""
    _MENU[key] = MenuItem(key, label, url_name, icon, order, permission, MenuGroup(*group) if group else None)


def menu_for(user) -> list[MenuEntry]:
    entries: dict[str, MenuEntry] = {}
    for item in sorted((item for item in _MENU.values() if item.allowed(user)), key=lambda item: item.order):
        if item.group is None:
            entries[item.key] = MenuEntry(item.key, item.label, item.icon, item.order, [item])
            continue
        entry = entries.setdefault(
            f"group:{item.group.key}",
            MenuEntry(item.group.key, item.group.label, item.group.icon, item.order),
        )
        entry.items.append(item)
    for entry in entries.values():
        if len(entry.items) == 1:  # a group of one is just that entry
            only = entry.items[0]
            entry.key, entry.label, entry.icon = only.key, only.label, only.icon
    return sorted(entries.values(), key=lambda entry: entry.order)
