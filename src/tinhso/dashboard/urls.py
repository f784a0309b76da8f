from django.urls import path

from tinhso.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("truc-tiep/", views.live, name="live"),
    path("bieu-do/", views.chart, name="chart"),
    path("bieu-do.json", views.chart_json, name="chart_json"),
    path("bieu-do.csv", views.chart_csv, name="chart_csv"),
    path("ban-do/", views.map_fragment, name="map"),
    path("ban-do.json", views.map_json, name="map_json"),
    path("ban-do.csv", views.map_csv, name="map_csv"),
    path("chi-tieu/<slug:code>/", views.drilldown, name="drilldown"),
]
