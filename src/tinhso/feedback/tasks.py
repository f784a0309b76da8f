"""Background tasks of the 1022 module. Thin wrappers over named functions."""

from django_tasks import task

from tinhso.feedback import deadlines


@task()
def check_deadlines() -> dict[str, int]:
    """Warn before and escalate after case deadlines; return how many cases were warned and escalated."""
    run = deadlines.check_deadlines()
    return {"warned": len(run.warned), "escalated": len(run.escalated)}
