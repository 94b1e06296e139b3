import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _start(settings_module: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    environment |= {"DJANGO_SETTINGS_MODULE": settings_module, **env}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_secret_key_with_debug_off_stops_start_up_with_a_clear_message():
    result = _start("config.settings.base", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "required when DEBUG is off" in result.stderr


def test_production_settings_start_with_a_secret_key():
    result = _start(
        "config.settings.production",
        SECRET_KEY="x" * 50,
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1/accord"),
    )
    assert result.returncode == 0, result.stderr


def test_settings_store_times_in_utc(settings):
    assert settings.USE_TZ is True
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
