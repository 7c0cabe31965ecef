from core.navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu_items": []}
    return {"menu_items": menu_for(user)}
