"""Checks behind /healthz: the database and the task queue, plus any a module registers."""

import logging

from django.db import connection

from tinhso.core.registry import HEALTH_CHECKS, register_health_check


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_task_queue() -> None:
    from django.conf import settings

    backend = settings.TASKS["default"]["BACKEND"]
    if backend.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()
    elif backend.startswith("django_tasks_rq"):
        import django_rq

        django_rq.get_connection("default").ping()


logger = logging.getLogger(__name__)

register_health_check("database", check_database)
register_health_check("task_queue", check_task_queue)


def run_checks() -> dict[str, str]:
    """Return {check: "ok" | error text}."""
    results = {}
    for name, check in HEALTH_CHECKS.items():
        try:
            check()
        except Exception:
            # The detail (host names, user names in driver errors) goes to the log, not to a public endpoint.
            logger.exception("Health check %s failed", name)
            results[name] = "error"
        else:
            results[name] = "ok"
    return results
