from django.urls import path, re_path

from tinhso.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("bo-so-lieu/", views.dataset_list, name="datasets"),
    path("bo-so-lieu/<slug:code>/nhap-tep/", views.upload, name="upload"),
    path("bo-so-lieu/<slug:code>/nhap-tep/<int:job_id>/", views.import_status, name="import_status"),
    re_path(
        r"^bo-so-lieu/(?P<code>[-\w]+)/(?P<period>[0-9Q-]+)/tai-ve\.(?P<fmt>xlsx|csv)$", views.export, name="export"
    ),
    re_path(r"^bo-so-lieu/(?P<code>[-\w]+)/(?P<period>[0-9Q-]+)/$", views.entry_form, name="entry"),
    path("<slug:code>/", views.public_detail, name="public_detail"),
]
