"""Settings for running on a developer's machine (`make run`): everything embedded.

Pages look as they do in production: Accord's own 404, 403 and 500 pages, because
``DEBUG`` is off unless asked for (``DEBUG=true make run`` gives Django's debug pages).
A secret key is generated once per checkout into ``var/secret_key``.
"""

import os
from pathlib import Path

from core.runtime import local_secret_key, parse_address

if not os.environ.get("SECRET_KEY"):
    os.environ["SECRET_KEY"] = local_secret_key(
        Path(__file__).resolve().parent.parent.parent / "var", debug=True
    )

# The development server runs a thread per request: a pool, not persistent connections.
os.environ.setdefault("DATABASE_POOL", "true")

from .base import *  # noqa: E402,F403
from .base import ALLOWED_HOSTS, env  # noqa: E402

# Static files come straight from the source folders, as runserver would with DEBUG on.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The host `make run` serves on (ACCORD_ADDRESS) is a host it answers to.
_served_host = parse_address(env.str("ACCORD_ADDRESS", default="127.0.0.1:8000"))[0]
_served_host = f"[{_served_host}]" if ":" in _served_host else _served_host
if _served_host not in {"0.0.0.0", "[::]", *ALLOWED_HOSTS}:  # noqa: S104  # nosec B104 (compares or uses the address the developer chose (ACCORD_ADDRESS))
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, _served_host]
