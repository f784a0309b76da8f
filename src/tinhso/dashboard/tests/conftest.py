import pytest

from tinhso.core.models import Agency, Role
from tinhso.core.testing import make_agency, make_member

# The indicators app's fixtures: today's province row and the article's demo figures.
from tinhso.indicators.tests.conftest import demo, province  # noqa: F401


@pytest.fixture
def province_leader(db):
    office = make_agency("UBND", "UBND tỉnh", kind=Agency.Kind.PROVINCE_COMMITTEE)
    return make_member(Role.PROVINCE_LEADER, office, "Đỗ Văn Chủ Tịch")


@pytest.fixture
def commune_official(db):
    committee = make_agency("UBND-05443", "UBND Phường Phan Đình Phùng", kind=Agency.Kind.COMMUNE_COMMITTEE)
    return make_member(Role.COMMUNE_OFFICIAL, committee, "Ngô Thị Cán Bộ Xã")
