"""Static checks over every template and module: escaping (S7) and ids that must not be localised."""

import re
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent.parent
TEMPLATES = BASE / "templates"

# USE_THOUSAND_SEPARATOR is on, so `{{ obj.pk }}` renders 1234 as "1.234": inside an attribute that is a
# broken id. Attributes must use `|unlocalize` (or {% url %}, which never localises).
ID_IN_ATTRIBUTE = re.compile(
    r'(?:value|data-[\w-]+|href|hx-[\w-]+|action|for|id|name)="[^"]*\{\{\s*[\w.]*\b(?:pk|id)\s*\}\}'
)


def test_ids_in_attributes_are_never_localised():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ID_IN_ATTRIBUTE.search(line):
                offenders.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert offenders == []


# The one audited mark_safe: `{% jinja %}` passes on the HTML of a Jinja2 partial, whose own autoescaping escaped
# every value it printed (checked below, and by the hostile-strings tests on the pages that use partials).
MARK_SAFE_ALLOWED = {"core/templatetags/jinja.py"}


def test_no_safe_filter_or_mark_safe_on_user_data():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if re.search(r"\|\s*safe\b|{%\s*autoescape\s+off", text):
            offenders.append(str(path.relative_to(BASE)))
    for path in BASE.rglob("*.py"):
        if any(part in {".venv", ".data", "tests"} for part in path.parts):
            continue
        if "mark_safe(" in path.read_text() and str(path.relative_to(BASE)) not in MARK_SAFE_ALLOWED:
            offenders.append(str(path.relative_to(BASE)))
    assert offenders == []


def test_jinja_partials_escape_what_they_print():
    from django.template import engines

    engine = engines["jinja2"]
    assert engine.env.autoescape is True
    hostile = '<script>alert("x")</script>'
    html = engine.from_string("{{ value }}|{{ value|masked }}").render({"value": hostile})
    assert "<script>" not in html
    assert html.count("&lt;script&gt;") == 1


def test_no_csrf_exempt_anywhere():
    """S6: no view opts out of CSRF; the API's token views are exempt by DRF only for token requests."""
    offenders = [
        str(path.relative_to(BASE))
        for path in BASE.rglob("*.py")
        if not any(part in {".venv", ".data", "tests"} for part in path.parts) and "csrf_exempt" in path.read_text()
    ]
    assert offenders == []
