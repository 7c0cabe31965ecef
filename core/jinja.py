"""Jinja2 for the repeated parts of the busiest pages (table rows), inside pages written in the template language.

A list page repeats the same row 25 times; the template language spends ~0.1 ms per row resolving variables and
translating labels, Jinja2 compiles the row to Python once. Pages keep the template language (`base.html`, forms,
messages): only partials under `templates/jinja2/` are Jinja2, included with `{% jinja "…" name=value %}`
(`core/templatetags/jinja.py`). Autoescaping is on, as in the template language; the partials see only what they
are given, plus `url()`, `_()`/`ngettext()` (Django's, in the active language) and the filters of
`FILTER_LIBRARIES`.
"""

from importlib import import_module

import jinja2
from django.template import defaultfilters
from django.template.backends.django import get_installed_libraries
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext, ngettext

#: Template-language filter libraries whose filters the partials use under the same names (`|masked`, `|rupiah`).
FILTER_LIBRARIES = ("humanize", "registry", "formatting", "infrastructure_tags")


_MARK = 987654321
_PK_URLS: dict[tuple, tuple[str, str] | None] = {}


def url(name: str, *args) -> str:
    """`reverse(name, args=args)`; a URL taking one number (a row's pk) is reversed once per process and
    completed by concatenation: a list page asks for 25 of them, and each reverse costs ~30 µs."""
    if len(args) == 1 and isinstance(args[0], int):
        key = (name, get_script_prefix(), get_urlconf())
        if key not in _PK_URLS:
            head, mark, tail = reverse(name, args=[_MARK]).partition(str(_MARK))
            _PK_URLS[key] = (head, tail) if mark else None
        if parts := _PK_URLS[key]:
            return f"{parts[0]}{args[0]}{parts[1]}"
    return reverse(name, args=args)


def environment(**options) -> jinja2.Environment:
    env = jinja2.Environment(**options)  # noqa: S701  # nosec B701 - Django's backend passes autoescape=True
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals["url"] = url
    env.filters.update(date=defaultfilters.date, floatformat=defaultfilters.floatformat)
    libraries = get_installed_libraries()
    for name in FILTER_LIBRARIES:
        env.filters.update(import_module(libraries[name]).register.filters)
    return env
