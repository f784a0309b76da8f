from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EservicesConfig(AppConfig):
    name = "tinhso.eservices"
    label = "eservices"
    verbose_name = _("Dịch vụ công trực tuyến")

    def ready(self) -> None:
        from tinhso.core.management.commands.load_demo import DEMO_STEPS
        from tinhso.eservices import checks  # noqa: F401 - registers the deploy checks

        if ("load_eservices_demo",) not in DEMO_STEPS:  # ready() may run more than once
            DEMO_STEPS.append(("load_eservices_demo",))

        from tinhso.core.registry import Module, register_module

        register_module(
            Module(
                "eservices",
                _("Dịch vụ công trực tuyến"),
                _("Tìm thủ tục, nộp hồ sơ trực tuyến và theo dõi kết quả"),
                url_name="eservices:home",
            )
        )

        # --- Identity: an online application needs a verified account (level 1: VNeID or checked in person). ---
        from tinhso.identity.levels import LEVEL_VERIFIED, register_service_level

        register_service_level("eservices.apply", LEVEL_VERIFIED)

        # --- Backups (core.backup): the private document store is archived and restored with the database. ---
        from tinhso.core.registry import register_private_store
        from tinhso.eservices.models import private_storage

        register_private_store("eservices", lambda: private_storage().location)

        # --- Processing side (processing.py, indicators766.py): begin. Add lines only inside this block. ---
        from datetime import timedelta

        from tinhso.core.registry import register_figure
        from tinhso.core.schedule import recurring
        from tinhso.eservices import indicators766

        recurring("eservices.refresh_766", every=timedelta(minutes=15), task=indicators766.refresh_task)
        register_figure("eservices.received", _("Hồ sơ TTHC tiếp nhận"), _("hồ sơ"), indicators766.figure_received)
        register_figure("eservices.on_time", _("Tỷ lệ hồ sơ giải quyết đúng hạn"), "%", indicators766.figure("on_time"))
        register_figure(
            "eservices.full_online", _("Tỷ lệ hồ sơ trực tuyến toàn trình"), "%", indicators766.figure("full_online")
        )
        register_figure(
            "eservices.paid_online", _("Tỷ lệ thanh toán trực tuyến"), "%", indicators766.figure("paid_online")
        )
        register_figure("eservices.digitised", _("Tỷ lệ số hóa hồ sơ"), "%", indicators766.figure("digitised"))
        register_figure(
            "eservices.satisfaction", _("Mức độ hài lòng (QĐ 766)"), "%", indicators766.figure("satisfaction")
        )
        # --- Processing side: end. ---
