"""ANALYZE after a bulk write, so that PostgreSQL plans with the new rows at once.

Autovacuum analyzes a table only once a tenth of it has changed: after a county's rollover or an
intake of thousands of records the planner would go on estimating from the old counts for hours.
"""

from __future__ import annotations

import functools

from django.db import connection, transaction


def tables_analyze(*models) -> None:
    """ANALYZE the tables of `models` (all tables when none is given); PostgreSQL only."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def tables_analyze_after_commit(*models) -> None:
    """ANALYZE once the current transaction has committed; a failure is logged, never raised."""
    transaction.on_commit(functools.partial(tables_analyze, *models), robust=True)
