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
