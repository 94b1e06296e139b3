import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The production environment the README documents (values are examples).
PRODUCTION_ENVIRONMENT = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "accord.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://accord.example.org",
    "SITE_URL": "https://accord.example.org",
    "EMAIL_HOST": "smtp.example.org",
    "EMAIL_PORT": "587",
    "EMAIL_USE_TLS": "true",
    "DEFAULT_FROM_EMAIL": "Accord <accord@example.org>",
    "TRUSTED_PROXIES": "10.0.0.2",
}


def _run(settings_module: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set for the browser tests (conftest), never in production.
    drop = {"SECRET_KEY", "DEBUG", "EMAIL_BACKEND", "TRUSTED_PROXIES", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in drop}
    environment |= {
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1/accord"),
        **env,
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *(args or ("check",))],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _setting(name: str, **env: str) -> str:
    result = _run(
        "config.settings.production",
        "shell",
        "-c",
        f"from django.conf import settings; print(repr(getattr(settings, {name!r}, None)))",
        **(PRODUCTION_ENVIRONMENT | env),
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_missing_secret_key_with_debug_off_stops_start_up_with_a_clear_message():
    result = _run("config.settings.base", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "required when DEBUG is off" in result.stderr


def test_production_settings_start_with_a_secret_key():
    result = _run("config.settings.production", SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stderr


def test_deploy_check_is_clean_with_the_documented_production_environment():
    result = _run(
        "config.settings.production",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION_ENVIRONMENT,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("change-me-to-a-long-random-string", "published placeholder"),
        ("test-only-secret-key-not-for-production", "published placeholder"),
        ("a" * 60, "not random"),
        ("0123456789abcdefghijklmnopqrstuv", "it must have at least 50"),
    ],
)
def test_production_refuses_placeholder_and_short_keys(key: str, message: str):
    result = _run("config.settings.production", **(PRODUCTION_ENVIRONMENT | {"SECRET_KEY": key}))
    assert result.returncode != 0
    assert message in result.stderr


def test_production_mails_through_smtp_by_default():
    assert "smtp.EmailBackend" in _setting("MAILERS")


def test_forwarded_proto_is_believed_only_behind_a_named_proxy():
    assert _setting("SECURE_PROXY_SSL_HEADER") == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert _setting("SECURE_PROXY_SSL_HEADER", TRUSTED_PROXIES="") == "None"


def test_hsts_subdomains_and_preload_are_switches():
    assert _setting("SECURE_HSTS_INCLUDE_SUBDOMAINS") == "False"
    assert _setting("SECURE_HSTS_PRELOAD", SECURE_HSTS_PRELOAD="true") == "True"
    assert _setting("SECURE_HSTS_SECONDS") == "31536000"


def test_settings_store_times_in_utc(settings):
    assert settings.USE_TZ is True
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
