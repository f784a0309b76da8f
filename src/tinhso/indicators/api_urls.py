from django.urls import path

from tinhso.indicators import api

urlpatterns = [
    path("", api.IndicatorList.as_view(), name="api-indicators"),
    path("<slug:code>/", api.IndicatorDetail.as_view(), name="api-indicator"),
    path("<slug:code>/values/", api.ValueList.as_view(), name="api-indicator-values"),
    path("<slug:code>/targets/", api.TargetList.as_view(), name="api-indicator-targets"),
]
