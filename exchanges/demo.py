"""Illustrative secondments for the demo (filled in by the exchanges work)."""


def load() -> None:
    """Load illustrative secondments under the UK–Australia AI security MoU."""
