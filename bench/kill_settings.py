"""Settings for the worker that ``python -m bench.kill_delivery`` kills: test settings with
mail written to files in ``EMAIL_FILE_PATH``, so every message sent can be counted."""

import os

from config.settings.test import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["EMAIL_FILE_PATH"]},
    }
}
