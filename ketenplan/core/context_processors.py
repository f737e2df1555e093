from .navigation import entries_for


def navigation(request):
    user = getattr(request, "user", None)
    items = entries_for(user) if user is not None else []
    return {"menu": [i for i in items if i["in_menu"]]}
