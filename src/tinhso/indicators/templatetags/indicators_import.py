from django import template

register = template.Library()


@register.filter
def import_error(error: dict) -> str:
    """Return an import error as a Vietnamese sentence naming its sheet, row and column."""
    from tinhso.indicators.importing import describe

    return describe(error)
