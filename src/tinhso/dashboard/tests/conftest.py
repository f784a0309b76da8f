import pytest

from tinhso.core.models import AdminUnit, Agency, Role
from tinhso.core.testing import make_agency, make_member


@pytest.fixture
def province(db) -> AdminUnit:
    """Thái Nguyên as today's province row (code 19), which the demo figures belong to."""
    return AdminUnit.objects.create(
        code="19", name="Tỉnh Thái Nguyên", short_name="Thái Nguyên", level=AdminUnit.Level.PROVINCE, kind="tinh"
    )


@pytest.fixture
def demo(province):
    """The indicators app's demo figures (the news article's), loaded as `tinhso load_indicators_demo` does."""
    from tinhso.indicators.demo import load_indicators_demo

    for code, name in [("STC", "Sở Tài chính"), ("SCT", "Sở Công Thương"), ("SNNMT", "Sở NN&MT"), ("SNV", "Sở Nội vụ")]:
        make_agency(code, name)
    load_indicators_demo()
    return province


@pytest.fixture
def province_leader(db):
    office = make_agency("UBND", "UBND tỉnh", kind=Agency.Kind.PROVINCE_COMMITTEE)
    return make_member(Role.PROVINCE_LEADER, office, "Đỗ Văn Chủ Tịch")


@pytest.fixture
def commune_official(db):
    committee = make_agency("UBND-05443", "UBND Phường Phan Đình Phùng", kind=Agency.Kind.COMMUNE_COMMITTEE)
    return make_member(Role.COMMUNE_OFFICIAL, committee, "Ngô Thị Cán Bộ Xã")
