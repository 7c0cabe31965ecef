"""Security headers on every page (docs/quality.md S5) and no inline script or style in any template (CSP)."""

import re
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
SKIP_NAMESPACES = {"admin"}
POST_ONLY = {"accounts:logout", "set_language"}


def _names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = pattern.namespace
            if namespace in SKIP_NAMESPACES:
                continue
            yield from _names(pattern.url_patterns, f"{prefix}{namespace}:" if namespace else prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}"


def parameterless_pages() -> list[str]:
    urls = []
    for name in sorted(set(_names(get_resolver().url_patterns))):
        if name in POST_ONLY:
            continue
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            continue  # takes an object id: covered by the access matrix
    return urls


def test_there_are_pages_to_check():
    assert "/" in parameterless_pages()
    assert "/akun/masuk/" in parameterless_pages()


@pytest.mark.django_db
def test_security_headers_on_every_get_page(client_for, user_admin):
    client = client_for(user_admin)
    for url in parameterless_pages():
        response = client.get(url)
        assert response.status_code in (200, 302, 400, 403, 404, 405), (url, response.status_code)
        csp = response.get("Content-Security-Policy", "")
        script_src = re.search(r"script-src ([^;]*)", csp)
        assert script_src and "'unsafe-inline'" not in script_src.group(1), (url, csp)
        assert "frame-ancestors 'none'" in csp, url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Frame-Options"] == "DENY", url
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            assert "no-store" in response.get("Cache-Control", ""), url


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)


def test_templates_have_no_inline_scripts_styles_or_handlers():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for pattern, what in ((INLINE_SCRIPT, "inline <script>"), (STYLE_ATTRIBUTE, "style="), (EVENT_HANDLER, "on*=")):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {what}")
    assert offenders == []
