import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tinhso.eservices.models import Procedure, ProcedureVersion


def test_a_procedure_is_found_with_or_without_diacritics(procedure):
    assert list(Procedure.objects.search("giấy phép xây dựng")) == [procedure]
    assert list(Procedure.objects.search("giay phep xay dung")) == [procedure]
    assert list(Procedure.objects.search("1.009994")) == [procedure]
    assert not Procedure.objects.search("khai sinh").exists()


def test_the_processing_time_counts_working_hours(procedure):
    assert procedure.processing_hours == 80
    procedure.processing_unit = "hours"
    assert procedure.processing_hours == 10


def test_the_current_version_is_the_latest_in_force(procedure, version):
    later = ProcedureVersion.objects.create(procedure=procedure, number=2, effective_from=dt.date(2099, 1, 1))
    assert procedure.current_version() == version
    assert procedure.current_version(on=dt.date(2099, 1, 2)) == later


def test_a_used_version_cannot_be_edited(version):
    version.steps = [*version.steps, {"code": "x", "name": "Thêm", "hours": 1}]
    version.save()  # not used yet: editable
    version.used_at = timezone.now()
    version.save()
    version.refresh_from_db()
    version.documents = []
    with pytest.raises(ValidationError):
        version.save()
    version.refresh_from_db()
    version.effective_to = dt.date(2030, 1, 1)  # closing a version stays possible
    version.save()
