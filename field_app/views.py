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
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Role
from aid_distribution.models import UndeliveredReason
from beneficiaries.choices import Relationship

#: Everything the app needs to open offline; the service worker pre-caches these (and the shell page).
SHELL_ASSETS = [
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff",
    "field_app/css/field.css",
    "field_app/js/app.js",
    "field_app/js/api.js",
    "field_app/js/db.js",
    "field_app/js/format.js",
    "field_app/js/photo.js",
    "field_app/js/scanner.js",
    "field_app/js/sync.js",
    "field_app/js/ui.js",
    "field_app/icons/icon-192.png",
    "field_app/icons/icon-512.png",
    "field_app/icons/maskable-512.png",
]

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


def _config() -> dict:
    """Data the app needs offline: labels of codes, and the URLs of the API it talks to."""
    return {
        "relationships": {str(value): str(label) for value, label in Relationship.choices},
        "reasons": [[value, str(label)] for value, label in UndeliveredReason.choices],
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
            "lang": "id",
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
