"""Mail backends for tests: one that is down, and (slow_filebased) one slow enough to kill."""

from django.core.mail.backends.base import BaseEmailBackend


class BrokenBackend(BaseEmailBackend):
    """A mail server that refuses connections."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server refused the connection")
