from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from tinhso.core import api_views

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", api_views.ApiDocs.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/units.geojson", api_views.UnitBoundaries.as_view(), name="api-units-geojson"),
    path("v1/units/", api_views.UnitList.as_view(), name="api-units"),
    path("v1/units/<str:code>/", api_views.UnitDetail.as_view(), name="api-unit"),
    path("v1/agencies/", api_views.AgencyList.as_view(), name="api-agencies"),
]
