"""Jinja2 for the repeated parts of the busiest pages (table rows), inside pages written in the template language.

A list page repeats the same row 25 times; the template language spends ~0.1 ms per row resolving variables and
translating labels, Jinja2 compiles the row to Python once. Pages keep the template language (`base.html`, forms,
messages): only partials under `templates/jinja2/` are Jinja2, included with `{% jinja "…" name=value %}`
(`core/templatetags/jinja.py`). Autoescaping is on, as in the template language; the partials see only what they
are given, plus `url()` (`core.urlcache`), `_()`/`ngettext()` (Django's, in the active language) and the filters of
`FILTER_LIBRARIES`.
"""

from importlib import import_module

import jinja2
from django.template import defaultfilters
from django.template.backends.django import get_installed_libraries
from django.utils.translation import gettext, ngettext

from core.urlcache import url

#: Template-language filter libraries whose filters the partials use under the same names (`|masked`, `|rupiah`).
FILTER_LIBRARIES = ("humanize", "registry", "formatting", "infrastructure_tags")


def environment(**options) -> jinja2.Environment:
    env = jinja2.Environment(**options)  # noqa: S701  # nosec B701 - Django's backend passes autoescape=True
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals["url"] = url
    env.filters.update(date=defaultfilters.date, floatformat=defaultfilters.floatformat)
    libraries = get_installed_libraries()
    for name in FILTER_LIBRARIES:
        env.filters.update(import_module(libraries[name]).register.filters)
    return env
