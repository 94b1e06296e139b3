"""Settings for running on a developer's machine: debug on, everything embedded."""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F403
