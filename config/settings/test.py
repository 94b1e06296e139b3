"""Settings for the test suite: fast hashing, mail kept in memory."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
# pytest-django manages connections itself: a fresh one per request, as before.
os.environ.setdefault("DATABASE_POOL", "false")
os.environ.setdefault("CONN_MAX_AGE", "0")

from .base import *  # noqa: E402,F403
from .base import DATABASE_OWNER, DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests create and drop their own databases: on the embedded server they connect as the
# owner role, which may; tests of the app role's refusals make an app role of their own.
if DATABASE_OWNER and not os.environ.get("DATABASE_OWNER_URL"):
    DATABASES["default"].update(DATABASE_OWNER)
    DATABASE_OWNER = None
