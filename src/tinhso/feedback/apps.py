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

        from tinhso.core.registry import Module, register_module

        register_module(
            Module(
                "feedback",
                _("Tổng đài 1022"),
                _("Phản ánh, kiến nghị và hỏi đáp của người dân"),
                url_name="feedback:home",
            )
        )

        from datetime import timedelta

        from tinhso.core.registry import register_figure
        from tinhso.core.schedule import recurring
        from tinhso.feedback import stats, tasks

        recurring("feedback.check_deadlines", every=timedelta(minutes=15), task=tasks.check_deadlines)
        # The public statistics page's default view, recomputed before its copy goes stale (stats.public).
        recurring("feedback.refresh_public_stats", every=timedelta(minutes=4), task=tasks.refresh_public_stats)
        # Headline figures for the operations dashboard (stats.py defines them precisely).
        register_figure("feedback.received", _("Phản ánh tiếp nhận"), _("phản ánh"), stats.figure_received)
        register_figure("feedback.accept_on_time", _("Tỷ lệ tiếp nhận đúng hạn"), "%", stats.figure_accept_rate)
        register_figure("feedback.answer_on_time", _("Tỷ lệ trả lời đúng hạn"), "%", stats.figure_answer_rate)
        register_figure("feedback.satisfaction", _("Tỷ lệ hài lòng"), "%", stats.figure_satisfaction_rate)
        register_figure(
            "feedback.handling_days", _("Thời gian xử lý bình quân"), _("ngày làm việc"), stats.figure_handling_days
        )
