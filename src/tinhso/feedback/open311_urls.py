"""Open311 GeoReport v2, mounted at /open311/v2/ (docs/open311.md)."""

from django.urls import path

from tinhso.feedback import open311

app_name = "open311"

urlpatterns = [
    path("discovery.<str:fmt>", open311.discovery, name="discovery"),
    path("services.<str:fmt>", open311.services, name="services"),
    path("services/<str:code>.<str:fmt>", open311.service_definition, name="service"),
    path("requests.<str:fmt>", open311.requests, name="requests"),
    path("requests/<str:request_id>.<str:fmt>", open311.request_detail, name="request"),
    path("tokens/<str:token>.<str:fmt>", open311.token, name="token"),
    path("servicerequestupdates.<str:fmt>", open311.request_updates, name="updates"),
]
