from django.utils.cache import add_never_cache_headers


class PersonalDataCacheMiddleware:
    """Pages seen by a signed-in user may hold personal data: never let a browser or proxy keep them (S5)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


def is_database_unavailable(exception) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exception, OperationalError | InterfaceError)


def database_unavailable_response(request):
    """The friendly 503 of a database outage: a plain page (no query, no menu), JSON under /api/."""
    from django.http import HttpResponse, JsonResponse
    from django.template.loader import render_to_string

    message = "Basis data sedang tidak dapat dihubungi. Tidak ada data yang hilang; coba lagi dalam satu menit."
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        html = render_to_string(
            "error_plain.html", {"code": "503", "title": "Layanan sedang gangguan", "message": message}
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = "30"
    return response


class DatabaseUnavailableMiddleware:
    """While PostgreSQL restarts, answer 503 with a friendly page instead of a stack trace (issue: faults).

    Each request runs in its own transaction (or none), so a failed request leaves no partial write; the
    next request reconnects by itself (CONN_HEALTH_CHECKS). This hook sees errors raised by views; an outage met
    earlier, in a middleware (the session or the user is loaded before any view), reaches `core.views.server_error`,
    the project's handler500, which answers the same 503.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_unavailable(exception):
            return None
        import logging

        logging.getLogger("kertapati.availability").warning("database unavailable: %s", type(exception).__name__)
        return database_unavailable_response(request)
