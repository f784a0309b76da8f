from django.urls import path

from tinhso.feedback import views

app_name = "feedback"

urlpatterns = [
    path("tra-cuu/<str:code>/", views.track, name="track"),
]
