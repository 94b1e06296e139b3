"""Domain errors raised by services; forms show them by field, the API as a 400."""

from __future__ import annotations

from contextvars import ContextVar

# The rule of the last PermissionDenied raised while handling this request (see
# core.middleware.RefusalStatusMiddleware, which answers 403 when a page shows it).
last_refusal: ContextVar[str | None] = ContextVar("last_refusal", default=None)


class DomainError(Exception):
    """A business rule was broken. ``errors`` maps a field name (or ``__all__``) to a message."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        if isinstance(errors, str):
            errors = {"__all__": errors}
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class PermissionDenied(DomainError):
    """The acting user may not do this."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        super().__init__(errors)
        last_refusal.set("; ".join(self.errors.values()))


class TransitionNotAllowed(DomainError):
    def __init__(self, current: str, to: str, *, field: str = "status") -> None:
        super().__init__({field: f"Cannot move from “{current}” to “{to}”."})
        self.current = current
        self.to = to


class StaleRecord(DomainError):
    """Somebody else saved the record since this copy was read."""

    def __init__(self, changes: dict[str, tuple[object, object]] | None = None) -> None:
        self.changes = changes or {}
        detail = ", ".join(
            f"{field}: “{old}” → “{new}”" for field, (old, new) in self.changes.items()
        )
        message = "Someone else saved this record while you were editing it."
        if detail:
            message += f" Their changes: {detail}."
        message += " Reload to see the current version; nothing of yours was saved."
        super().__init__({"__all__": message})
