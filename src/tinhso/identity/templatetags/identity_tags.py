from django import template

register = template.Library()


@register.simple_tag
def vneid_available() -> bool:
    """Return whether sign-in through VNeID is offered: the real provider is configured, or its mock is on."""
    from tinhso.identity.sso.upstream import get_provider

    return get_provider() is not None
