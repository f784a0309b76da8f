"""System checks of the e-services configuration (`tinhso check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, register


@register("eservices", deploy=True)
def check_payment_gateway(app_configs=None, **kwargs):
    """Refuse the fake payment gateway in production: it marks a fee paid at once, with a secret in the code."""
    from tinhso.eservices.payments import gateway_name

    if not settings.DEBUG and gateway_name() == "fake":
        return [
            Error(
                "The fake payment gateway is on outside debug: fees would be recorded as paid without payment.",
                hint="Set ESERVICES_PAYMENT_GATEWAY=real (with its URL, merchant and secret) or none.",
                id="eservices.E001",
            )
        ]
    return []
