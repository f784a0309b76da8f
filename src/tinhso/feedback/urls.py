from django.urls import path

from tinhso.feedback import inbound, views

app_name = "feedback"

urlpatterns = [
    path("tra-cuu/<str:code>/", views.track, name="track"),
    path("webhook/sms/", inbound.sms_webhook, name="webhook_sms"),
    path("webhook/zalo/", inbound.zalo_webhook, name="webhook_zalo"),
]
