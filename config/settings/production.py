"""Settings for production: every secret must come from the environment.

`manage.py check --deploy --fail-level WARNING` passes with the environment the README
documents (tests/core/test_settings.py runs it).
"""

import os

from django.core.exceptions import ImproperlyConfigured

# Mail goes to an SMTP server unless EMAIL_BACKEND says otherwise.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("DEBUG must be off in production.")
if not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured("DATABASE_URL must be set in production.")

# Keys that have been published (examples, tests) are as good as no key.
KNOWN_PLACEHOLDER_KEYS = frozenset(
    {
        "change-me",
        "change-me-to-a-long-random-string",
        "changeme",
        "secret",
        "test-only-secret-key-not-for-production",
    }
)
if SECRET_KEY.strip().lower() in KNOWN_PLACEHOLDER_KEYS or "change-me" in SECRET_KEY.lower():  # noqa: F405
    raise ImproperlyConfigured(
        "SECRET_KEY is a published placeholder: set a random one, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
if len(SECRET_KEY) < 50:  # noqa: F405
    raise ImproperlyConfigured(
        f"SECRET_KEY has {len(SECRET_KEY)} characters; it must have at least 50 "  # noqa: F405
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
if len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-"):  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY is not random: use secrets.token_urlsafe(50).")

# X-Forwarded-Proto is believed only when a trusted proxy is named (TRUSTED_PROXIES) and the
# app is reachable only through it; otherwise any client could claim HTTPS.
if TRUSTED_PROXIES:  # noqa: F405
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Subdomains and preloading commit every host under the domain to HTTPS for a year (preload:
# in browsers' built-in lists, hard to undo); both are the operator's choice, off by default.
# Leaving them off is deliberate, so Django's reminders about them are silenced.
SILENCED_SYSTEM_CHECKS = [
    *(["security.W005"] if not SECURE_HSTS_INCLUDE_SUBDOMAINS else []),
    *(["security.W021"] if not SECURE_HSTS_PRELOAD else []),
]
