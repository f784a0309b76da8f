from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "tinhso.indicators"
    label = "indicators"
    verbose_name = _("Chỉ tiêu kinh tế – xã hội")

    def ready(self) -> None:
        from tinhso.core.management.commands.load_demo import DEMO_STEPS

        if ("load_indicators_demo",) not in DEMO_STEPS:  # ready() may run more than once
            DEMO_STEPS.append(("load_indicators_demo",))
        if ("load_indicator_datasets_demo",) not in DEMO_STEPS:
            DEMO_STEPS.append(("load_indicator_datasets_demo",))

        from datetime import timedelta

        from tinhso.core.schedule import recurring
        from tinhso.indicators import tasks

        recurring("indicators.check_overdue", every=timedelta(hours=1), task=tasks.check_overdue)
