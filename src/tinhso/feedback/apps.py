from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "tinhso.feedback"
    label = "feedback"
    verbose_name = _("Tổng đài 1022")

    def ready(self) -> None:
        from tinhso.core.management.commands.load_demo import DEMO_STEPS

        if ("load_feedback_demo",) not in DEMO_STEPS:
            DEMO_STEPS.append(("load_feedback_demo",))
