"""The answer the design gives a signed-in user who may not see an object (docs/conventions.md, "scoping").

"Not yours" and "missing" are the same 404; 403 only for a role that lacks the view's permission altogether
(then the answer cannot depend on the object, so it reveals nothing either). `design_denial` reads the view's
own permission: `permission_required` of a page view (PermissionMixin and the apps' mixins), `permission_classes`
of a DRF view, so that the tests pin what the view itself declares, not a table copied from it.
"""

from urllib.parse import urlsplit

from django.test import RequestFactory
from django.urls import resolve
from rest_framework.test import APIRequestFactory, force_authenticate


def design_denial(user, method: str, url: str) -> int:
    match = resolve(urlsplit(url).path)
    view_class = getattr(match.func, "view_class", None)
    drf_class = getattr(match.func, "cls", None)
    if drf_class is not None:
        return _drf_denial(user, method, url, match, drf_class)
    if view_class is None:
        raise AssertionError(f"{url}: a function view; add its expected answer to the test")
    view = view_class(**getattr(match.func, "view_initkwargs", {}))
    view.setup(getattr(RequestFactory(), method)(url), *match.args, **match.kwargs)
    view.request.user = user
    if getattr(view, "permission_required", None) is None:
        return 404  # every signed-in user may open the page; the selector decides what is theirs
    return 404 if user.has_perms(view.get_permission_required()) else 403


def _drf_denial(user, method, url, match, drf_class) -> int:
    request = getattr(APIRequestFactory(), method)(url)
    force_authenticate(request, user=user)
    view = drf_class(**getattr(match.func, "initkwargs", {}))
    actions = getattr(match.func, "actions", None)
    if actions:
        view.action_map = actions
        view.action = actions.get(method)
    view.args, view.kwargs, view.format_kwarg = match.args, match.kwargs, None
    view.request = view.initialize_request(request, *match.args, **match.kwargs)
    view.headers = {}
    allowed = all(p.has_permission(view.request, view) for p in view.get_permissions())
    return 404 if allowed else 403


def missing_twin(url: str) -> str:
    """The same URL with every object id replaced by one that does not exist."""
    import uuid

    from django.urls import reverse

    match = resolve(urlsplit(url).path)

    def swap(value):
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):  # DRF routers give strings
            return 2_000_000_000
        if isinstance(value, uuid.UUID):
            return uuid.UUID(int=1)
        if isinstance(value, str):
            try:
                uuid.UUID(value)
            except ValueError:
                return value
            return str(uuid.UUID(int=1))
        return value

    query = urlsplit(url).query
    twin = reverse(
        match.view_name,
        args=[swap(a) for a in match.args],
        kwargs={k: swap(v) for k, v in match.kwargs.items()},
    )
    return f"{twin}?{query}" if query else twin
