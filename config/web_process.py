"""What only the web server's process does to its database connections: the statement limit.

config/wsgi.py and config/asgi.py call `limit_statements` once, when the server loads the site.
Celery workers (config/celery.py) and management commands (migrate, the benches, the rollover and
the sweeps when run by hand) never load those modules, so they run without the limit.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import connections

_TIMEOUT = re.compile(r"\s*-c\s*statement_timeout=\S+")


def statement_timeout_options(options: str, milliseconds: int) -> str:
    """libpq's `options` (the server settings a connection starts with), with this statement_timeout."""
    rest = _TIMEOUT.sub("", options or "").strip()
    return f"{rest} -c statement_timeout={milliseconds}".strip()


def limit_statements() -> None:
    """From now on, every PostgreSQL connection this process opens cancels a statement that runs
    longer than XUEJI_STATEMENT_TIMEOUT seconds (0: never).

    The limit is a startup parameter of the connection, not a SET: it costs no statement per web
    request, and a connection kept open between requests (CONN_MAX_AGE) keeps it. Whatever the
    process runs on its connections is limited, as everything a request ran was before: the work
    a page does after its commit, and tasks run eagerly (only the tests do that) with it. Behind a
    connection pooler, the pooler must pass the startup option `options` on to PostgreSQL."""
    milliseconds = int(float(settings.XUEJI_STATEMENT_TIMEOUT) * 1000)
    if milliseconds <= 0:
        return
    for alias in connections:
        if connections[alias].vendor != "postgresql":
            continue
        # The dict every thread's connection of this alias reads when it connects.
        options = connections.settings[alias].setdefault("OPTIONS", {})
        options["options"] = statement_timeout_options(options.get("options", ""), milliseconds)
    # A connection opened while the site loaded would not have it: the next query opens a new one.
    connections.close_all()
