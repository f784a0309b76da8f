"""The web shell: home page, map page and its GeoJSON, error pages, /healthz, template filters, the admin."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import include, path, reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject

from tinhso.core import views
from tinhso.core.registry import HEALTH_CHECKS
from tinhso.core.testing import make_agency, make_unit


def _forbidden(request):
    raise PermissionDenied


def _broken(request):
    raise RuntimeError("hỏng")


# A URLconf for the error-page tests: the real site plus two views that fail on purpose.
urlpatterns = [
    path("thu/cam/", _forbidden),
    path("thu/loi/", _broken),
    path("", include("tinhso.urls")),
]
handler403 = "tinhso.core.views.error_403"
handler404 = "tinhso.core.views.error_404"
handler500 = "tinhso.core.views.error_500"


@pytest.fixture
def units(db):
    return [
        make_unit("05809", "Xã An Khánh", lon=105.70, lat=21.60),
        make_unit("05443", "Phường Phan Đình Phùng", lon=105.80, lat=21.55, kind="phuong"),
    ]


# --- home and map ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_page_leads_to_the_map(client):
    body = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("map")}"' in body
    assert "Bản đồ số" in body
    assert 'href="#main"' in body and 'id="main"' in body


def test_map_page_lists_the_current_units_and_configures_the_map(client, units):
    response = client.get(reverse("map"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-map="view"' in body
    assert f'data-boundaries-url="{reverse("api-units-geojson")}"' in body
    assert "/static/lib/leaflet/leaflet.js" in body and "/static/core/map.js" in body
    assert "<td>05809</td><td>Xã An Khánh</td>" in body
    assert "Phường Phan Đình Phùng" in body


def test_map_page_has_no_inline_script_or_style(client, units):
    body = client.get(reverse("map")).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    assert " style=" not in body and "<style" not in body


def test_pick_mode_names_its_inputs_and_offers_my_location():
    html = Template(
        '{% include "core/_map.html" with map_id="pick" mode="pick" lon_input="id_lon" lat_input="id_lat"'
        " layers=layers %}"
    ).render(Context({"layers": ["/a.geojson", "/b.geojson"]}))
    assert 'data-map="pick"' in html
    assert 'data-lon-input="id_lon"' in html and 'data-lat-input="id_lat"' in html
    assert 'data-layers="/a.geojson /b.geojson"' in html
    assert 'data-map-locate="pick"' in html


def test_units_geojson_gives_current_communes_with_code_name_kind(client, units):
    former = make_unit("05800", "Xã Cù Vân", lon=105.60, lat=21.60, valid_to=dt.date(2025, 6, 30))
    response = client.get(reverse("api-units-geojson"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["type"] == "FeatureCollection"
    by_code = {f["properties"]["code"]: f for f in data["features"]}
    assert set(by_code) == {u.code for u in units}
    assert former.code not in by_code
    assert by_code["05809"]["properties"]["name"] == "Xã An Khánh"
    assert by_code["05443"]["properties"]["kind"] == "phuong"
    assert by_code["05809"]["geometry"] == units[0].boundary


def test_units_geojson_is_cacheable_and_revalidates_with_etag(client, units):
    first = client.get(reverse("api-units-geojson"))
    assert "max-age" in first["Cache-Control"]
    again = client.get(reverse("api-units-geojson"), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    make_unit("05812", "Xã Bình Yên", lon=105.50, lat=21.70)
    changed = client.get(reverse("api-units-geojson"), headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


# --- error pages and health ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_url_gives_the_vietnamese_404_page(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Không tìm thấy trang" in body
    assert '<html lang="vi">' in body


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_permission_denied_gives_the_403_page(client):
    response = client.get("/thu/cam/")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_unhandled_error_gives_the_500_page(client):
    client.raise_request_exception = False
    response = client.get("/thu/loi/")
    assert response.status_code == 500
    assert "Hệ thống đang gặp sự cố" in response.content.decode()


def test_500_page_renders_without_the_database_or_the_user():
    # No `db` fixture: pytest-django fails any query. A user lookup would need the database too.
    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(lambda: pytest.fail("the 500 handler looked at the user"))
    request.session = SimpleLazyObject(lambda: pytest.fail("the 500 handler looked at the session"))
    with translation.override("vi"):
        response = views.error_500(request)
    assert response.status_code == 500
    assert "Hệ thống đang gặp sự cố" in response.content.decode()


@pytest.mark.django_db
def test_healthz_reports_a_failing_check_with_503(client, monkeypatch):
    def database_down():
        raise DatabaseError("không kết nối được")

    monkeypatch.setitem(HEALTH_CHECKS, "database", database_down)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "error"
    # The cause goes to the log; the public endpoint says only that the check failed.
    assert data["checks"]["database"] == "error"
    assert "không kết nối được" not in response.content.decode()
    assert data["checks"]["task_queue"] == "ok"
    assert "no-cache" in response["Cache-Control"]


# --- formats and filters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "value", "expected"),
    [
        ("{{ v|so }}", 1030.5, "1.030,5"),
        ("{{ v|so }}", 20000, "20.000"),
        ("{{ v|so:2 }}", 1030.5, "1.030,50"),
        ("{{ v|so:0 }}", 1030.5, "1.031"),
        ("{{ v|so }}", -1234567.891, "-1.234.567,89"),
        ("{{ v|so }}", "không phải số", "không phải số"),
        ("{{ v|so }}", None, ""),
    ],
)
def test_so_formats_numbers_the_vietnamese_way(template, value, expected):
    with translation.override("vi"):
        assert Template("{% load tinhso %}" + template).render(Context({"v": value})) == expected


def test_so_follows_the_english_separators_in_english():
    with translation.override("en"):
        assert Template("{% load tinhso %}{{ v|so }}").render(Context({"v": 1030.5})) == "1,030.5"


def test_dates_render_day_first_in_both_languages():
    day = dt.date(2025, 7, 1)
    moment = dt.datetime(2025, 7, 1, 1, 30, tzinfo=dt.UTC)  # 08:30 in Hà Nội
    template = Template("{{ day }}|{{ moment }}|{{ day|date:'SHORT_DATE_FORMAT' }}")
    for language in ("vi", "en"):
        with translation.override(language), timezone.override("Asia/Ho_Chi_Minh"):
            assert template.render(Context({"day": day, "moment": moment})) == "01/07/2025|08:30 01/07/2025|01/07/2025"


# --- the admin ------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client_vi(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admin_is_in_vietnamese(admin_client_vi):
    body = admin_client_vi.get(reverse("admin:index")).content.decode()
    assert "Quản trị Tỉnh số" in body
    assert "Đơn vị hành chính" in body  # the model's verbose name, capitalised by the admin
    assert "Đổi mật khẩu" in body and "Hoạt động gần đây" in body  # Django's own Vietnamese translation


def test_admin_lists_units_and_finds_them_without_diacritics(admin_client_vi, units):
    listing = admin_client_vi.get(reverse("admin:core_adminunit_changelist"))
    assert listing.status_code == 200
    assert "Xã An Khánh" in listing.content.decode()
    for term in ("an khanh", "AN KHÁNH", "Ấn khánh"):
        found = admin_client_vi.get(reverse("admin:core_adminunit_changelist"), {"q": term}).content.decode()
        assert "Xã An Khánh" in found, term
        assert "Phan Đình Phùng" not in found, term
    by_d = admin_client_vi.get(reverse("admin:core_adminunit_changelist"), {"q": "phan dinh phung"})
    assert "Phường Phan Đình Phùng" in by_d.content.decode()


def test_admin_unit_change_page_opens(admin_client_vi, units):
    response = admin_client_vi.get(reverse("admin:core_adminunit_change", args=[units[0].pk]))
    assert response.status_code == 200
    assert "Xã An Khánh" in response.content.decode()


def test_admin_agency_list_search_and_autocomplete_fold_diacritics(admin_client_vi, units):
    committee = make_agency("UBND-05809", "Ủy ban nhân dân xã An Khánh", unit=units[0])
    make_agency("SYT", "Sở Y tế")
    found = admin_client_vi.get(reverse("admin:core_agency_changelist"), {"q": "uy ban an khanh"}).content.decode()
    assert "Ủy ban nhân dân xã An Khánh" in found and "Sở Y tế" not in found
    assert admin_client_vi.get(reverse("admin:core_agency_change", args=[committee.pk])).status_code == 200
    # The agency form picks its unit through the autocomplete endpoint.
    answer = admin_client_vi.get(
        reverse("admin:autocomplete"),
        {"term": "an khanh", "app_label": "core", "model_name": "agency", "field_name": "unit"},
    ).json()
    assert [r["text"] for r in answer["results"]] == ["Xã An Khánh"]


def test_admin_refuses_a_citizen(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("admin:core_adminunit_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_logout_ends_the_session_and_returns_home(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session
    assert "Đăng nhập" in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_logout_refuses_a_get_so_a_link_cannot_sign_someone_out(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        ("citizen", [], ["/dich-vu-cong/xu-ly/", "/dieu-hanh/", "/phan-anh/xu-ly/"]),
        ("clerk", ["/dich-vu-cong/xu-ly/"], ["/dieu-hanh/"]),
        ("leader", ["/dich-vu-cong/xu-ly/", "/dieu-hanh/"], []),
    ],
)
def test_the_navigation_offers_each_role_its_workspaces(client, request, persona, shown, hidden):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    nav = client.get(reverse("home")).content.decode().split('class="site-nav"')[1].split("</nav>")[0]
    assert reverse("identity:profile") in nav
    for url in shown:
        assert f'href="{url}"' in nav
    for url in hidden:
        assert f'href="{url}"' not in nav


@pytest.mark.django_db
@pytest.mark.parametrize("mock", [True, False])
def test_the_login_page_offers_vneid_only_when_it_is_configured(client, settings, mock):
    settings.VNEID_MOCK = mock
    settings.VNEID_DISCOVERY_URL = None
    page = client.get(reverse("login") + "?next=/dich-vu-cong/").content.decode()
    assert (f'href="{reverse("sso:vneid_login")}?next=/dich-vu-cong/"' in page) is mock
