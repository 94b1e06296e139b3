import zoneinfo

from django.core.exceptions import ValidationError


def validate_time_zone(value: str) -> None:
    """An IANA time zone name such as Europe/London or Australia/Sydney."""
    if value not in available_time_zones():
        raise ValidationError(
            "“%(value)s” is not a known IANA time zone (for example Europe/London).",
            params={"value": value},
            code="invalid_time_zone",
        )


_ZONES: frozenset[str] | None = None


def available_time_zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(zoneinfo.available_timezones())
    return _ZONES
