from django.urls import path

from tinhso.identity import views

app_name = "identity"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("dang-ky/", views.register, name="register"),
    path("dang-ky/xac-minh/", views.register_confirm, name="register_confirm"),
    path("quen-mat-khau/", views.password_reset, name="password_reset"),
    path("quen-mat-khau/xac-minh/", views.password_reset_confirm, name="password_reset_confirm"),
    path("nang-muc-dinh-danh/", views.raise_level, name="raise_level"),
    path("thong-tin-ca-nhan/", views.details, name="details"),
    path("to-chuc/dang-ky/", views.organisation_create, name="organisation_create"),
    path("to-chuc/<int:pk>/", views.organisation, name="organisation"),
    path("ung-dung/", views.connected_apps, name="connected_apps"),
    path("du-lieu-cua-toi.json", views.my_data, name="my_data"),
    path("xoa-du-lieu/", views.deletion, name="deletion"),
    path("xac-minh-truc-tiep/", views.verify_in_person, name="verify"),
    path("nhat-ky-xac-thuc/", views.audit_log, name="audit_log"),
    path("can-bo/tao/", views.official_create, name="official_create"),
]
