"""Gap-tolerant, collision-free counters for human-readable codes."""

from django.db import IntegrityError, connection, transaction

from tinhso.core.models import Sequence


def _increment(name: str, period: str) -> int | None:
    """Add one to the counter and return its new value in one statement (None if the row does not exist)."""
    table = connection.ops.quote_name(Sequence._meta.db_table)
    with connection.cursor() as cursor:
        # UPDATE … RETURNING (PostgreSQL, SQLite ≥ 3.35): one round trip instead of an update and a select.
        cursor.execute(
            f"UPDATE {table} SET value = value + 1 WHERE name = %s AND period = %s RETURNING value",  # noqa: S608
            [name, period],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def next_value(name: str, period: str = "") -> int:
    """Return the next value of the counter `name` in `period`, safe under concurrent callers.

    Runs in the caller's transaction: a rolled-back caller may leave a gap, never a duplicate.
    """
    # No savepoint of its own: the update is one statement, and only the first insert needs one (below).
    with transaction.atomic(savepoint=False):
        value = _increment(name, period)
        if value is not None:
            return value
        try:
            with transaction.atomic():
                Sequence.objects.create(name=name, period=period, value=1)
                return 1
        except IntegrityError:
            # Another caller created the row first; take the next value from it.
            return _increment(name, period)
