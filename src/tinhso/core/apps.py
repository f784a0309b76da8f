from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tinhso.core"
    label = "core"
    verbose_name = _("Nền tảng dùng chung")

    def ready(self) -> None:
        from tinhso.core import health  # noqa: F401 - registers the built-in health checks
