from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "tinhso.dashboard"
    label = "dashboard"
    verbose_name = _("Điều hành")

    def ready(self) -> None:
        from tinhso.core.management.commands.load_demo import DEMO_STEPS

        # After the indicators' step (INSTALLED_APPS order): the thresholds name their indicators.
        if ("load_dashboard_demo",) not in DEMO_STEPS:
            DEMO_STEPS.append(("load_dashboard_demo",))

        from datetime import timedelta

        from django.db.models.signals import post_delete, post_save

        from tinhso.core.schedule import recurring
        from tinhso.dashboard import tasks

        # Every four minutes, within the five the registered figures stay cached.
        recurring("dashboard.refresh_figures", every=timedelta(minutes=4), task=tasks.refresh_figures)

        from tinhso.dashboard.figures import invalidate
        from tinhso.indicators.models import Target, Value

        # Cache invalidation only (signals carry no domain flow): a recorded value or target shows at once.
        for model in (Value, Target):
            post_save.connect(invalidate, sender=model, dispatch_uid=f"dashboard-{model.__name__}-saved")
            post_delete.connect(invalidate, sender=model, dispatch_uid=f"dashboard-{model.__name__}-deleted")
        from tinhso.dashboard.models import AlertRule

        post_save.connect(invalidate, sender=AlertRule, dispatch_uid="dashboard-rule-saved")
        post_delete.connect(invalidate, sender=AlertRule, dispatch_uid="dashboard-rule-deleted")
