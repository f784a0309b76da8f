import pytest

from tinhso.core.models import Agency, Role
from tinhso.core.testing import make_agency, make_member, make_unit
from tinhso.feedback.models import Category


@pytest.fixture
def commune(db):
    return make_unit("05443", "Phường Phan Đình Phùng", lon=105.80, lat=21.55, kind="phuong")


@pytest.fixture
def commune_committee(commune):
    return make_agency("UBND-05443", "UBND Phường Phan Đình Phùng", kind=Agency.Kind.COMMUNE_COMMITTEE, unit=commune)


@pytest.fixture
def category(agency):
    """Roads: routed to the `agency` persona's agency (Sở Xây dựng)."""
    return Category.objects.create(code="giao-thong", name="Giao thông", default_agency=agency)


@pytest.fixture
def commune_category(db):
    """Rubbish: no default agency, so it goes to the commune's People's Committee."""
    return Category.objects.create(code="rac-thai", name="Rác thải")


@pytest.fixture
def commune_official(commune_committee):
    return make_member(Role.COMMUNE_OFFICIAL, commune_committee, "Đỗ Văn Cán Bộ Xã")


@pytest.fixture
def inside(commune):
    """A point inside the test commune."""
    return {"lon": 105.82, "lat": 21.57}
