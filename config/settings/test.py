"""Settings for the test suite: fast hashing, mail kept in memory."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests create and drop their own databases: on the embedded server they connect as the
# owner role, which may; tests of the app role's refusals make an app role of their own.
if DATABASE_OWNER and not os.environ.get("DATABASE_OWNER_URL"):  # noqa: F405
    DATABASES["default"].update(DATABASE_OWNER)  # noqa: F405
    DATABASE_OWNER = None
