import csv
import io

from tinhso.indicators.models import Indicator

URL = "/api/v1/indicators/"


def test_the_list_shows_public_indicators_only(client, demo):
    Indicator.objects.filter(code="pci").update(is_public=False)
    body = client.get(URL, {"page_size": 200}).json()
    codes = [row["code"] for row in body["results"]]
    assert "grdp" in codes and "pci" not in codes
    share = next(row for row in body["results"] if row["code"] == "ntm_share")
    assert share["formula"] == {"numerator": "ntm_communes", "denominator": "communes_total", "factor": "100"}
    assert share["department"] == "SNNMT"


def test_values_come_as_exact_decimals_with_their_display_and_source(client, demo):
    body = client.get(f"{URL}budget_revenue/values/", {"unit": "19", "from": "2024", "to": "2024"}).json()
    [row] = body["results"]
    assert (row["period"], row["value"], row["qualifier"], row["display"]) == ("2024", "20000", ">", "hơn 20.000")
    assert row["status"] == "estimate" and row["is_derived"] is False and "Thái Nguyên" in row["source"]


def test_a_range_filters_by_period(client, demo):
    body = client.get(f"{URL}grdp/values/", {"from": "2020", "to": "2023"}).json()
    assert [(r["period"], r["is_derived"]) for r in body["results"]] == [("2020", True)]


def test_values_download_as_csv(client, demo):
    response = client.get(f"{URL}grdp/values/", {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="grdp-so-lieu.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["period"], r["value"], r["display"]) for r in rows] == [
        ("2020", "116.0714", "116,1"),
        ("2024", "162.5", "162,5"),
    ]


def test_targets_include_the_undated_goal(client, demo):
    body = client.get(f"{URL}tea_revenue/targets/", {"from": "2024"}).json()
    assert [(r["period"], r["value"], r["series"]) for r in body["results"]] == [(None, "1", "other")]


def test_an_unknown_or_private_indicator_is_a_structured_404(client, demo):
    Indicator.objects.filter(code="pci").update(is_public=False)
    for code in ["khong-co", "pci"]:
        response = client.get(f"{URL}{code}/values/")
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"


def test_a_bad_period_is_a_structured_400_even_for_csv(client, demo):
    response = client.get(f"{URL}grdp/values/", {"from": "2024Q7", "format": "csv"})
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    [error] = response.json()["errors"]
    assert error["field"] == "from" and "2024Q7" in error["message"]


def test_an_unknown_unit_is_a_structured_400(client, demo):
    [error] = client.get(f"{URL}grdp/values/", {"unit": "99999"}).json()["errors"]
    assert error["field"] == "unit"


def test_the_api_is_read_only(client, admin_user, demo):
    client.force_login(admin_user)
    response = client.post(f"{URL}grdp/values/", {"value": "1"}, content_type="application/json")
    assert response.status_code == 405 and response.json()["errors"][0]["code"] == "method_not_allowed"
