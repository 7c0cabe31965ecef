"""Merge handlers: how other apps move their rows when two registry records are merged.

`beneficiaries` must not import programs or aid_distribution (docs/architecture.md §2), yet a merge has to move
their enrollments and deliveries too. Each app registers a callable in its `AppConfig.ready()`:

    from beneficiaries.services import merging
    merging.register_member_handler("programs.enrollments", lambda from_member, to_member: ...)

Handlers run inside the merge transaction, in registration order; an exception rolls the merge back.
"""

from collections.abc import Callable

_MEMBER_HANDLERS: dict[str, Callable] = {}
_HOUSEHOLD_HANDLERS: dict[str, Callable] = {}


def register_member_handler(key: str, handler: Callable) -> None:
    _MEMBER_HANDLERS[key] = handler


def register_household_handler(key: str, handler: Callable) -> None:
    _HOUSEHOLD_HANDLERS[key] = handler


def unregister(key: str) -> None:
    _MEMBER_HANDLERS.pop(key, None)
    _HOUSEHOLD_HANDLERS.pop(key, None)


def run_member_handlers(from_member, to_member) -> None:
    for handler in list(_MEMBER_HANDLERS.values()):
        handler(from_member, to_member)


def run_household_handlers(from_household, to_household) -> None:
    for handler in list(_HOUSEHOLD_HANDLERS.values()):
        handler(from_household, to_household)
