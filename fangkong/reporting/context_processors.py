"""The number of the user's unread reminders, for the navigation: `{{ unread_reminders }}`. It is
counted only when a template shows it (the value is a callable, which templates call), once per
request however often the template uses it, so pages and fragments that do not show it pay no query."""

from fangkong.reporting.reminders import unread_count


def reminders(request) -> dict:
    user = getattr(request, "user", None)
    counted: list[int] = []

    def count() -> int:
        if not counted:
            counted.append(unread_count(user))
        return counted[0]

    return {"unread_reminders": count}
