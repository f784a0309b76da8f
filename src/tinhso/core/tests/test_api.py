"""The REST API convention: structured errors, API keys, per-client rate limits, pagination, the schema."""

import json

import pytest
import yaml
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import call_command
from django.urls import include, path, reverse
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response

from tinhso.core.api import hash_key, issue_api_key
from tinhso.core.models import Agency, ApiClient, AuditEntry
from tinhso.core.testing import make_unit, make_user


class _Report(serializers.Serializer):
    title = serializers.CharField(max_length=20)
    location = serializers.DictField(child=serializers.FloatField())


class _Nobody(BasePermission):
    def has_permission(self, request, view):
        return False


@api_view(["POST"])
@permission_classes([AllowAny])
def _validate(request):
    _Report(data=request.data).is_valid(raise_exception=True)
    return Response({})


@api_view(["GET"])
@permission_classes([_Nobody])
def _closed(request):
    return Response({})


urlpatterns = [
    path("api/thu/kiem-tra/", _validate),
    path("api/thu/dong/", _closed),
    path("", include("tinhso.urls")),
]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Rate-limit counters live in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def _client(name: str, rate: str = "600/min") -> tuple[ApiClient, str]:
    client = ApiClient(name=name, rate=rate)
    return client, issue_api_key(client)


def _auth(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Api-Key {key}"}


# --- structured errors ---------------------------------------------------------------------------------


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_validation_errors_name_field_code_and_vietnamese_message(client):
    response = client.post(
        "/api/thu/kiem-tra/", {"title": "x" * 30, "location": {"lon": "đông"}}, content_type="application/json"
    )
    assert response.status_code == 400
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert errors["title"]["code"] == "max_length"
    assert "20" in errors["title"]["message"] and "ký tự" in errors["title"]["message"]
    assert errors["location.lon"]["code"] == "invalid"
    assert set(errors["location.lon"]) == {"code", "field", "message"}


@pytest.mark.django_db
def test_query_validation_error_names_the_parameter(client):
    response = client.get(reverse("api-units"), {"level": "thon"})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"code": "invalid_choice", "field": "level", "message": "Cấp không hợp lệ: thon"}]
    }


@pytest.mark.django_db
def test_a_bad_api_key_is_refused_with_401(client):
    _client("Ứng dụng A")
    response = client.get(reverse("api-units"), **_auth("deadbeef.khong-dung"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    [error] = response.json()["errors"]
    assert error["code"] == "authentication_failed"
    assert error["field"] is None
    assert error["message"] == "Khóa API không hợp lệ hoặc đã bị thu hồi."


@pytest.mark.django_db
def test_a_revoked_key_is_refused(client):
    app, key = _client("Ứng dụng A")
    assert client.get(reverse("api-units"), **_auth(key)).status_code == 200
    app.is_active = False
    app.save()
    assert client.get(reverse("api-units"), **_auth(key)).status_code == 401


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_refused_permission_gives_403(client, citizen):
    client.force_login(citizen)
    response = client.get("/api/thu/dong/")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"


@pytest.mark.django_db
def test_an_unknown_object_gives_404(client):
    response = client.get(reverse("api-unit", args=["99999"]))
    assert response.status_code == 404
    assert response.json() == {"errors": [{"code": "not_found", "field": None, "message": "Không tìm thấy."}]}


@pytest.mark.django_db
def test_a_wrong_method_gives_405(client):
    response = client.post(reverse("api-units"), {}, content_type="application/json")
    assert response.status_code == 405
    [error] = response.json()["errors"]
    assert error["code"] == "method_not_allowed"
    assert "POST" in error["message"]


# --- keys and rate limits ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_key_is_stored_hashed_and_recorded_without_it(admin_user):
    app = ApiClient(name="Ứng dụng A")
    key = issue_api_key(app, actor=admin_user)
    app.refresh_from_db()
    assert key.startswith(app.key_prefix + ".")
    assert app.key_hash == hash_key(key)
    assert key not in app.key_hash
    entry = AuditEntry.objects.get(action="api_client.key_issued")
    assert entry.actor == admin_user
    assert key not in json.dumps(entry.extra) + json.dumps(entry.changes)


@pytest.mark.django_db
def test_a_new_key_replaces_the_old_one(client):
    app, old = _client("Ứng dụng A")
    new = issue_api_key(app)
    assert client.get(reverse("api-units"), **_auth(old)).status_code == 401
    assert client.get(reverse("api-units"), **_auth(new)).status_code == 200


@pytest.mark.django_db
def test_each_client_has_its_own_rate_limit(client):
    _slow, slow_key = _client("Ứng dụng chậm", rate="2/min")
    _other, other_key = _client("Ứng dụng khác", rate="2/min")
    assert [client.get(reverse("api-agencies"), **_auth(slow_key)).status_code for _ in range(2)] == [200, 200]
    third = client.get(reverse("api-agencies"), **_auth(slow_key))
    assert third.status_code == 429
    assert third.json()["errors"][0]["code"] == "throttled"
    assert int(third["Retry-After"]) > 0
    assert client.get(reverse("api-agencies"), **_auth(other_key)).status_code == 200


@pytest.mark.django_db
def test_admin_issues_a_new_key_and_shows_it_once(client, admin_user):
    app, old = _client("Ứng dụng A")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:core_apiclient_changelist"),
        {"action": "issue_new_key", "_selected_action": [app.pk]},
        follow=True,
    )
    shown = [m.message for m in response.context["messages"] if m.level == messages.WARNING]
    assert len(shown) == 1
    app.refresh_from_db()
    new = next(word for word in shown[0].split() if word.startswith(app.key_prefix + "."))
    assert app.key_hash == hash_key(new) != hash_key(old)
    again = client.get(reverse("admin:core_apiclient_change", args=[app.pk])).content.decode()
    assert new not in again


@pytest.mark.django_db
def test_admin_creating_a_client_shows_its_first_key(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:core_apiclient_add"),
        {"name": "Hệ thống camera", "rate": "100/min", "scopes": "[]", "is_active": "on", "contact": ""},
        follow=True,
    )
    app = ApiClient.objects.get(name="Hệ thống camera")
    [shown] = [m.message for m in response.context["messages"] if m.level == messages.WARNING]
    key = next(word for word in shown.split() if word.startswith(app.key_prefix + "."))
    assert app.key_hash == hash_key(key)


@pytest.mark.django_db
def test_staff_who_may_only_view_clients_cannot_issue_a_new_key(client):
    app, old = _client("Ứng dụng A")
    viewer = make_user("Người chỉ xem", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_apiclient"))
    client.force_login(viewer)
    client.post(
        reverse("admin:core_apiclient_changelist"),
        {"action": "issue_new_key", "_selected_action": [app.pk]},
        follow=True,
    )
    app.refresh_from_db()
    assert app.key_hash == hash_key(old)


@pytest.mark.django_db
@pytest.mark.parametrize("rate", ["600/week", "600 per minute", "nhiều"])
def test_admin_refuses_a_rate_the_throttle_cannot_read(client, admin_user, rate):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:core_apiclient_add"),
        {"name": "Hệ thống camera", "rate": rate, "scopes": "[]", "is_active": "on", "contact": ""},
    )
    assert response.status_code == 200
    assert "rate" in response.context["adminform"].form.errors
    assert not ApiClient.objects.exists()


# --- pagination ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_lists_are_paginated_and_page_size_is_capped(client):
    Agency.objects.bulk_create(
        Agency(code=f"CQ{i:03d}", name=f"Cơ quan {i}", kind=Agency.Kind.OTHER, sort_order=i) for i in range(205)
    )
    default = client.get(reverse("api-agencies")).json()
    assert default["count"] == 205
    assert len(default["results"]) == 50
    assert default["next"] and default["previous"] is None
    capped = client.get(reverse("api-agencies"), {"page_size": 1000}).json()
    assert len(capped["results"]) == 200
    last = client.get(reverse("api-agencies"), {"page_size": 200, "page": 2}).json()
    assert [a["code"] for a in last["results"]] == ["CQ200", "CQ201", "CQ202", "CQ203", "CQ204"]
    beyond = client.get(reverse("api-agencies"), {"page": 99})
    assert beyond.status_code == 404
    assert beyond.json()["errors"][0]["code"] == "not_found"


@pytest.mark.django_db
def test_unit_list_serves_current_units(client):
    make_unit("05809", "Xã An Khánh", lon=105.7, lat=21.6, population=20104)
    [unit] = client.get(reverse("api-units")).json()["results"]
    assert unit["code"] == "05809" and unit["population"] == 20104


# --- schema and docs ----------------------------------------------------------------------------------


def test_the_openapi_schema_validates(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/units/" in schema["paths"]
    assert "/api/v1/units.geojson" in schema["paths"]
    assert schema["components"]["securitySchemes"]["ApiKey"]["in"] == "header"


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_a_cdn(client):
    assert client.get(reverse("api-schema")).status_code == 200
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "cdn" not in body.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    assert "<style" not in body
    assert "unsafe-inline" not in docs["Content-Security-Policy"]
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
