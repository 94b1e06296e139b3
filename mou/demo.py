"""Demo data for the register (filled in by the demo-data work)."""


def load() -> list[tuple[str, str, str]]:
    """Load the demo agreements; return the demo accounts as (username, password, role)."""
    return []
