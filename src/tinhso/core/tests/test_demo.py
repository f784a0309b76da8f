"""`make demo` loads the demo with `tinhso load_demo`; running it twice must change nothing."""

import pytest
from django.apps import apps
from django.core.management import call_command

from tinhso.core.models import AdminUnit, Agency, AuditEntry, User


def _row_counts() -> dict[str, int]:
    # Every table of the platform's own apps, so a step that duplicates anything shows up.
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in ("core", "feedback") and model is not AuditEntry
    }


@pytest.mark.django_db
def test_the_demo_loads_thai_nguyen_and_a_second_load_changes_nothing(settings):
    settings.DEBUG = True  # demo accounts are only made in debug mode
    call_command("load_demo", verbosity=0)
    assert AdminUnit.objects.current().communes().count() == 92
    assert Agency.objects.filter(kind=Agency.Kind.COMMUNE_COMMITTEE).count() == 92
    assert User.objects.filter(phone="0900000001").exists()
    first = _row_counts()
    audit_entries = AuditEntry.objects.count()

    call_command("load_demo", verbosity=0)

    assert _row_counts() == first
    assert AuditEntry.objects.count() == audit_entries
