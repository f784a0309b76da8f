from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EservicesConfig(AppConfig):
    name = "tinhso.eservices"
    label = "eservices"
    verbose_name = _("Dịch vụ công trực tuyến")
