"""Settings for the real worker in the delivery tests: test settings, but mail goes to files
(in EMAIL_FILE_PATH) through the slow file backend, so this process can count it."""

import os

from config.settings.test import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "tests.reminders.slow_filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["EMAIL_FILE_PATH"]},
    }
}
