"""Background tasks of the 1022 module. Thin wrappers over named functions."""

from django_tasks import task

from tinhso.feedback import deadlines


@task()
def check_deadlines() -> dict[str, int]:
    """Warn before and escalate after case deadlines; return how many cases were warned and escalated."""
    run = deadlines.check_deadlines()
    return {"warned": len(run.warned), "escalated": len(run.escalated)}


@task()
def refresh_public_stats(
    start: str | None = None,
    end: str | None = None,
    agency: int | None = None,
    category: int | None = None,
    unit: int | None = None,
    trend: str = "month",
) -> int:
    """Recompute the public statistics for these filters (none: the page's default view) into the shared cache;
    return the number of cases they cover."""
    import datetime as dt

    from tinhso.core.models import AdminUnit, Agency
    from tinhso.feedback import stats
    from tinhso.feedback.models import Category
    from tinhso.feedback.views_stats import default_public_filters

    if start is None and end is None and not (agency or category or unit):
        filters, trend = default_public_filters()
    else:
        filters = stats.Filters(
            start=dt.date.fromisoformat(start) if start else None,
            end=dt.date.fromisoformat(end) if end else None,
            agency=Agency.objects.filter(pk=agency).first() if agency else None,
            category=Category.objects.filter(pk=category).first() if category else None,
            unit=AdminUnit.objects.filter(pk=unit).first() if unit else None,
        )
    return stats.refresh_public(filters, trend).totals.received
