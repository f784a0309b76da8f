import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_home_page_is_in_vietnamese(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="vi">' in body
    assert "Tổng đài 1022" in body
    assert "Bỏ qua, đến nội dung chính" in body


@pytest.mark.django_db
def test_healthz_reports_database_and_queue(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "task_queue": "ok"}}


@pytest.mark.django_db
def test_security_headers_include_csp_without_inline_script(client):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
