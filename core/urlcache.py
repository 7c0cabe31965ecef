"""`url(name, *args)`: `reverse()` for the URLs a page asks for again and again (menu entries, table rows).

A URL without arguments is reversed once per process; one taking a single number (a row's pk) is reversed once
with a marker and completed by concatenation: a list page asks for 25 of those, the menu for a dozen plain ones
two or three times over, and each `reverse()` costs ~30 µs. Cached per urlconf and script prefix, so a request
under another prefix gets its own URLs. `NoReverseMatch` is raised as by `reverse()`, and not cached.
"""

from django.urls import get_script_prefix, get_urlconf, reverse

_MARK = 987654321
_CACHE: dict[tuple, str | tuple[str, str] | None] = {}


def url(name: str, *args) -> str:
    pk = args[0] if len(args) == 1 and type(args[0]) is int else None
    if args and pk is None:
        return reverse(name, args=args)
    key = (name, bool(args), get_script_prefix(), get_urlconf())
    if key not in _CACHE:
        if pk is None:
            _CACHE[key] = reverse(name)
        else:
            head, mark, tail = reverse(name, args=[_MARK]).partition(str(_MARK))
            _CACHE[key] = (head, tail) if mark else None
    cached = _CACHE[key]
    if pk is None:
        return cached
    return f"{cached[0]}{pk}{cached[1]}" if cached else reverse(name, args=args)
