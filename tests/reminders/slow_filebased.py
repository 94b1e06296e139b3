"""Django's file-based mail backend, slowed down so a test can kill a worker mid-send.

Before writing a message it leaves a ``sending-*`` marker in the mail directory and sleeps
``REMINDERS_TEST_MAIL_DELAY`` seconds (default 0). Named ``…filebased.EmailBackend`` so the
settings give it the file path from EMAIL_FILE_PATH.
"""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends import filebased


class EmailBackend(filebased.EmailBackend):
    def send_messages(self, email_messages):
        Path(self.file_path, f"sending-{uuid.uuid4().hex}").touch()
        time.sleep(float(os.environ.get("REMINDERS_TEST_MAIL_DELAY", "0")))
        return super().send_messages(email_messages)
