"""Settings for running on a developer's machine: debug on, everything embedded."""

import os

os.environ.setdefault("DEBUG", "true")
# The development server runs a thread per request: a pool, not persistent connections.
os.environ.setdefault("DATABASE_POOL", "true")

from .base import *  # noqa: E402,F403
