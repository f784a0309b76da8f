"""Template helpers of the processing side for the applicant's and the public pages."""

from django import template

from tinhso.eservices import processing

register = template.Library()


@register.simple_tag
def fee_outstanding(application) -> int:
    """Return the fee the applicant still has to pay (0 when none is due)."""
    if application.is_draft:
        return 0
    return processing.fee_outstanding(application)
