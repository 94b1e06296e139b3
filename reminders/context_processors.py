from django.http import HttpRequest

from institutes.roles import person_of
from reminders.selectors import open_reminder_count


def reminders(request: HttpRequest) -> dict[str, object]:
    """``my_reminder_count``: how many reminders the signed-in person has not dismissed.

    A callable, so the queries run only on pages whose template shows the value.
    """

    def count() -> int:
        user = getattr(request, "user", None)
        person = person_of(user) if user is not None else None
        return 0 if person is None else open_reminder_count(person=person)

    return {"my_reminder_count": count}
