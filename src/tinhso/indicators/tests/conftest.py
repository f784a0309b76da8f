import pytest

from tinhso.core.models import AdminUnit
from tinhso.core.testing import make_agency


@pytest.fixture
def province(db) -> AdminUnit:
    """Thái Nguyên as today's province row (code 19), which the demo figures belong to."""
    return AdminUnit.objects.create(
        code="19", name="Tỉnh Thái Nguyên", short_name="Thái Nguyên", level=AdminUnit.Level.PROVINCE, kind="tinh"
    )


@pytest.fixture
def demo(province):
    """The demo indicators and figures, loaded as `tinhso load_indicators_demo` does."""
    from tinhso.indicators.demo import load_indicators_demo

    for code, name in [("STC", "Sở Tài chính"), ("SCT", "Sở Công Thương"), ("SNNMT", "Sở NN&MT"), ("SNV", "Sở Nội vụ")]:
        make_agency(code, name)
    load_indicators_demo()
    return province


@pytest.fixture
def dataset(agency, province):
    """A monthly data set of the test agency (Sở Xây dựng) with two indicators for the province."""
    from decimal import Decimal

    from tinhso.indicators.models import DataSet, DataSetIndicator, Indicator

    agency.unit = province
    agency.save()
    built = DataSet.objects.create(code="sxd-thang", name="Xây dựng hằng tháng", agency=agency, period_type="month")
    a = Indicator.objects.create(code="xd-von", name_vi="Vốn đầu tư xây dựng", unit="tỷ đồng", department=agency)
    b = Indicator.objects.create(code="xd-nha", name_vi="Nhà ở hoàn thành", unit="căn", department=agency)
    DataSetIndicator.objects.create(dataset=built, indicator=a, min_value=Decimal(0), max_value=Decimal(100000))
    DataSetIndicator.objects.create(dataset=built, indicator=b, required=False, min_value=Decimal(0), sort_order=1)
    return built
