from .navigation import entries_for


def home_sections(user) -> list[dict]:
    return entries_for(user)
