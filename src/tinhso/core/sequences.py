"""Gap-tolerant, collision-free counters for human-readable codes."""

from django.db import IntegrityError, transaction
from django.db.models import F

from tinhso.core.models import Sequence


def next_value(name: str, period: str = "") -> int:
    """Return the next value of the counter `name` in `period`, safe under concurrent callers.

    Runs in the caller's transaction: a rolled-back caller may leave a gap, never a duplicate.
    """
    with transaction.atomic():
        updated = Sequence.objects.filter(name=name, period=period).update(value=F("value") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    Sequence.objects.create(name=name, period=period, value=1)
                    return 1
            except IntegrityError:
                # Another caller created the row first; take the next value from it.
                Sequence.objects.filter(name=name, period=period).update(value=F("value") + 1)
        return Sequence.objects.get(name=name, period=period).value
