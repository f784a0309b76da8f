import datetime as dt

from tinhso.core.models import AdminUnit, Agency
from tinhso.core.testing import make_agency
from tinhso.indicators import datasets
from tinhso.indicators.demo_datasets import load_datasets_demo
from tinhso.indicators.models import DataSet, Indicator, Submission, Value


def test_demo_data_sets_have_approved_and_submitted_reports(demo):
    unit = AdminUnit.objects.create(code="05500", name="Xã Thử", level=AdminUnit.Level.COMMUNE, kind="xa", parent=demo)
    make_agency("UBX05500", "UBND xã Thử", kind=Agency.Kind.COMMUNE_COMMITTEE, unit=unit)
    today = dt.date(2025, 11, 20)
    assert load_datasets_demo(today=today) == 3
    assert load_datasets_demo(today=today) == 0
    states = {
        code: sorted(Submission.objects.filter(dataset__code=code).values_list("state", flat=True))
        for code in DataSet.objects.values_list("code", flat=True)
    }
    assert states == {
        "sct-cong-nghiep-thang": ["approved", "approved", "approved", "submitted"],
        "stc-thu-ngan-sach-quy": ["approved", "approved", "approved", "submitted"],
        "ntm-xa-nam": ["approved", "approved", "approved", "submitted"],
    }
    assert Value.objects.filter(indicator__code="iip_month").count() == 3
    assert not Indicator.objects.public().filter(code__in=["iip_month", "ntm_criteria_met"]).exists()
    assert datasets.overdue_submissions(today=today) == []
