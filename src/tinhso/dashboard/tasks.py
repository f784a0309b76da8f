from django_tasks import task

from tinhso.dashboard import figures


@task()
def refresh_figures() -> int:
    """Compute the modules' registered figures the dashboard shows, ahead of the page requests."""
    return figures.refresh_registered()
