from allauth.account import views as account_views
from django.urls import include, path
from django.views.decorators.http import require_POST

from tinhso.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ban-do/", views.province_map, name="map"),
    path("dang-nhap/", account_views.login, name="login"),
    path("dang-xuat/", require_POST(account_views.logout), name="logout"),  # a link must not sign anyone out
    # django-allauth's own pages (second factor, sessions, e-mail, password change), unnamespaced as it expects.
    path("tai-khoan/", include("allauth.urls")),
]
