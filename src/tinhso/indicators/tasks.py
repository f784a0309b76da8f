"""Background tasks of the indicators: the overdue check and file imports. Thin wrappers over named functions."""

from django_tasks import task


@task()
def check_overdue() -> int:
    """Mark and warn about data sets past their deadline; return how many were newly marked."""
    from tinhso.indicators.actions import mark_overdue

    return mark_overdue()


@task()
def run_import(job_id: int) -> str:
    """Check and apply one uploaded file; return the job's final state."""
    from tinhso.indicators.importing import run_import_job

    return run_import_job(job_id)
