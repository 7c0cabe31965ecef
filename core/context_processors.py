from core.navigation import menu_for


def navigation(request):
    """The user's menu, built once per request: panels rendered with the request run the processors again."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu_items": []}
    menu = getattr(request, "_kertapati_menu", None)
    if menu is None:
        menu = request._kertapati_menu = menu_for(user)
    return {"menu_items": menu}
