"""Page panels contributed by other apps (docs/architecture.md §2, "the household 360° page without a tangle").

`beneficiaries` renders whatever is registered for "beneficiaries.Household" without importing the apps
that registered it. Each panel's selector checks the viewer's permissions and returns None to hide itself.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    #: selector(viewer, obj) -> dict of template context, or None when the viewer may not see the panel
    selector: Callable
    order: int


_PANELS: dict[str, dict[str, Panel]] = {}


def register_panel(*, model_label: str, key: str, title, template: str, selector: Callable, order: int) -> None:
    _PANELS.setdefault(model_label, {})[key] = Panel(key, title, template, selector, order)


def panels_for(*, model_label: str, viewer, obj) -> list[dict]:
    rendered = []
    for panel in sorted(_PANELS.get(model_label, {}).values(), key=lambda p: p.order):
        context = panel.selector(viewer, obj)
        if context is not None:
            rendered.append({"panel": panel, "context": context})
    return rendered
