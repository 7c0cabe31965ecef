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
