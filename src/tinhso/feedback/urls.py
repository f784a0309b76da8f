from django.urls import path

from tinhso.feedback import inbound, views_public, views_staff, views_stats

app_name = "feedback"

urlpatterns = [
    path("", views_public.home, name="home"),
    path("gui/", views_public.submit, name="submit"),
    path("da-gui/<str:code>/", views_public.submitted, name="submitted"),
    path("gan-day/", views_public.nearby, name="nearby"),
    path("gan-day/theo-doi/", views_public.follow, name="follow"),
    path("tra-cuu/", views_public.lookup, name="lookup"),
    path("tra-cuu/<str:code>/", views_public.track, name="track"),
    path("tra-cuu/<str:code>/danh-gia/", views_public.rate, name="rate"),
    path("tra-cuu/<str:code>/bo-sung/", views_public.supplement, name="supplement"),
    path("cua-toi/", views_public.my_reports, name="mine"),
    path("tep/<int:pk>/", views_public.attachment, name="file"),
    path("xu-ly/", views_staff.inbox, name="inbox"),
    path("xu-ly/chuyen-hang-loat/", views_staff.bulk_assign, name="bulk_assign"),
    path("xu-ly/<str:code>/", views_staff.case, name="case"),
    path("xu-ly/<str:code>/lien-he/", views_staff.case_contact, name="case_contact"),
    path("xu-ly/<str:code>/vi-tri.geojson", views_staff.case_point, name="case_point"),
    path("xu-ly/<str:code>/tep/<int:pk>/", views_staff.attachment, name="case_attachment"),
    path("xu-ly/<str:code>/<slug:action>/", views_staff.case_action, name="case_action"),
    path("tong-dai/", views_staff.operator, name="operator"),
    path("tong-dai/tra-so/", views_staff.operator_lookup, name="operator_lookup"),
    path("thong-ke/", views_stats.staff_stats, name="stats"),
    path("thong-ke/xuat.csv", views_stats.stats_export, {"fmt": "csv"}, name="stats_export_csv"),
    path("thong-ke/xuat.xlsx", views_stats.stats_export, {"fmt": "xlsx"}, name="stats_export_xlsx"),
    path("thong-ke/phan-anh.csv", views_stats.cases_export, {"fmt": "csv"}, name="cases_export_csv"),
    path("thong-ke/phan-anh.xlsx", views_stats.cases_export, {"fmt": "xlsx"}, name="cases_export_xlsx"),
    path("thong-ke-cong-khai/", views_stats.public_stats, name="public_stats"),
    path(
        "thong-ke-cong-khai/xuat.csv", views_stats.public_stats_export, {"fmt": "csv"}, name="public_stats_export_csv"
    ),
    path(
        "thong-ke-cong-khai/xuat.xlsx",
        views_stats.public_stats_export,
        {"fmt": "xlsx"},
        name="public_stats_export_xlsx",
    ),
    path("da-tra-loi/", views_stats.public_list, name="public_list"),
    path("da-tra-loi.geojson", views_stats.public_geojson, name="public_geojson"),
    path("webhook/sms/", inbound.sms_webhook, name="webhook_sms"),
    path("webhook/zalo/", inbound.zalo_webhook, name="webhook_zalo"),
]
