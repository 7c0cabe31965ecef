"""The field app's pages: the app shell at /lapangan/, its service worker and its web manifest.

The shell holds no personal data and needs no session: the worker signs in inside the app (device token), so the
same HTML can be cached by the service worker and opened offline. A signed-in portal user of another role gets a
clear message instead of an app that would only answer "not allowed" later.
"""

import hashlib
import json
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Role
from aid_distribution.api import MemberBriefSerializer
from aid_distribution.models import UndeliveredReason
from core.api import INVALID_DETAIL
from field_app import texts

#: The app's ES modules (static/field_app/js/, screens/ included): every one is pre-cached, none forgotten.
SCRIPTS_DIR = Path(__file__).resolve().parent.parent / "static" / "field_app" / "js"
SCRIPTS = sorted(f"field_app/js/{path.relative_to(SCRIPTS_DIR).as_posix()}" for path in SCRIPTS_DIR.rglob("*.js"))

#: Everything the app needs to open offline; the service worker pre-caches these (and the shell page).
SHELL_ASSETS = [
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff",
    "field_app/css/field.css",
    *SCRIPTS,
    "field_app/icons/icon-192.png",
    "field_app/icons/icon-512.png",
    "field_app/icons/maskable-512.png",
]

#: Locales of the app's dates and numbers (Intl), by the portal's language code.
LOCALES = {"id": "id-ID", "en": "en-GB"}

THEME_COLOR = "#0b5d3b"


def _asset_urls() -> list[str]:
    """Each asset's static URL; with hashed (manifest) storage also the plain URL that module imports reach."""
    urls: list[str] = []
    for name in SHELL_ASSETS:
        for url in (static(name), f"{static('')}{name}"):
            if url not in urls:
                urls.append(url)
    return urls


def _assets_version() -> str:
    """Changes whenever a shell file changes, so that the browser installs the new service worker."""
    digest = hashlib.sha256()
    for name in SHELL_ASSETS:
        digest.update(name.encode())
        path = finders.find(name)
        if path:
            stat = Path(path).stat()
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    template = Path(__file__).resolve().parent.parent / "templates" / "field_app"
    for name in ("app.html", "sw.js"):
        stat = (template / name).stat()
        digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _relationship_labels() -> dict[str, str]:
    """The labels of the member relationship codes the aid API sends (its member serializer's choices)."""
    field = MemberBriefSerializer().fields["relationship"]
    return {str(value): str(label) for value, label in field.choices.items()}


def _config() -> dict:
    """Data the app needs offline: labels of codes, its sentences in the request's language, and the API's URLs."""
    return {
        "relationships": _relationship_labels(),
        "reasons": [[value, str(label)] for value, label in UndeliveredReason.choices],
        "language": get_language() or "id",
        "locale": LOCALES.get(get_language() or "", LOCALES["id"]),
        "strings": texts.strings(),
        # The API's generic "invalid data" sentence: the app shows the field messages instead (errors.js).
        "invalid_detail": _(INVALID_DETAIL),
        "urls": {
            "token": reverse("api_token"),
            "rounds": "/api/v1/aid/rounds/",
            "batch": "/api/v1/aid/deliveries/batch/",
            "me": reverse("field_app:api_me"),
            "logout": reverse("field_app:api_logout"),
            "cards": reverse("field_app:api_round_cards", kwargs={"pk": 0}).replace("/0/", "/{id}/"),
            "sw": reverse("field_app:service_worker"),
            "scope": reverse("field_app:app"),
            "portal": reverse("core:home"),
        },
    }


class AppView(View):
    """The app shell. Open to anyone (it holds nothing secret); other roles signed in to the portal are told."""

    def get(self, request):
        user = request.user
        if user.is_authenticated and user.role != Role.PETUGAS_LEMBAGA:
            return render(
                request,
                "field_app/other_role.html",
                {"role_label": user.get_role_display(), "title": _("Aplikasi lapangan")},
                status=403,
            )
        response = render(
            request,
            "field_app/app.html",
            {
                "config": _config(),
                "theme_color": THEME_COLOR,
                "username": user.username if user.is_authenticated else "",
            },
        )
        if not user.is_authenticated:
            # The generic shell: the service worker keeps its own copy; browsers must still ask each time.
            response["Cache-Control"] = "no-cache"
        return response


class ServiceWorkerView(View):
    """/lapangan/sw.js: served from under /lapangan/ so that its scope covers the app (no extra header)."""

    def get(self, request):
        body = render(
            request,
            "field_app/sw.js",
            {
                "version": _assets_version(),
                "assets_json": json.dumps(_asset_urls()),
                "shell_url": reverse("field_app:app"),
            },
        ).content
        response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
        response["Cache-Control"] = "no-cache"
        return response


class ManifestView(View):
    def get(self, request):
        scope = reverse("field_app:app")
        manifest = {
            "id": scope,
            "name": _("Penyaluran Bantuan Lapangan · Kertapati"),
            "short_name": _("Lapangan"),
            "description": _("Catat penyerahan bantuan di lapangan, juga tanpa sinyal."),
            "lang": get_language() or "id",
            "dir": "ltr",
            "start_url": scope,
            "scope": scope,
            "display": "standalone",
            "orientation": "portrait",
            "background_color": "#ffffff",
            "theme_color": THEME_COLOR,
            "icons": [
                {"src": static("field_app/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("field_app/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("field_app/icons/maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        }
        response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
        response["Content-Type"] = "application/manifest+json; charset=utf-8"
        response["Cache-Control"] = "no-cache"
        return response
