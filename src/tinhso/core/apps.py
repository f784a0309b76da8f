from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db import apps as tasks_db_apps


class CoreConfig(AppConfig):
    name = "tinhso.core"
    label = "core"
    verbose_name = _("Nền tảng dùng chung")

    def ready(self) -> None:
        import tinhso.core.calendar  # noqa: F401 - connects the calendar cache invalidation
        from tinhso.core import health  # noqa: F401 - registers the built-in health checks
        from tinhso.core.management.commands.load_demo import DEMO_STEPS

        # Units come first: agencies and everything else point at them.
        if ("load_units", "--demo") not in DEMO_STEPS:
            DEMO_STEPS.insert(0, ("load_units", "--demo"))
        if ("load_calendar",) not in DEMO_STEPS:
            DEMO_STEPS.append(("load_calendar",))
        # Agencies need the communes from load_units; the demo accounts need the agencies.
        for step in (("load_agencies",), ("load_demo_accounts",)):
            if step not in DEMO_STEPS:
                DEMO_STEPS.append(step)

        # Recurring jobs of the core; other apps declare theirs the same way in their ready().
        from tinhso.core import tasks
        from tinhso.core.schedule import recurring

        recurring("core.sweep_notifications", every=timedelta(minutes=1), task=tasks.sweep_notifications)
        recurring("core.prune_scheduled_runs", every="17 3 * * *", task=tasks.prune_scheduled_runs)
        recurring("core.prune_task_results", every="27 3 * * *", task=tasks.prune_task_results)


class TasksDatabaseConfig(tasks_db_apps.TasksAppConfig):
    """django_tasks_db under a translated name in the admin (its own verbose_name is a plain English string)."""

    # The msgid is the package's own text, translated in locale_thirdparty with its other strings; passing it
    # through a variable keeps makemessages from copying it into our catalogue. Not the default config of
    # tinhso.core (CoreConfig is); the module import above keeps Django from seeing a second candidate.
    default = False
    verbose_name = _(tasks_db_apps.TasksAppConfig.verbose_name)
