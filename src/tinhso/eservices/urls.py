from django.urls import path

from tinhso.eservices import (
    views_applicant,
    views_citizen,
    views_dashboard,
    views_public,
    views_staff,
)

app_name = "eservices"

urlpatterns = [
    # Public: the catalogue and the lookup by code.
    path("", views_public.catalogue, name="home"),
    path("thu-tuc/<str:code>/", views_public.procedure, name="procedure"),
    path("tra-cuu/", views_public.lookup, name="lookup"),
    path("tra-cuu/<str:code>/", views_public.lookup_code, name="lookup_code"),
    path("tra-cuu/<str:code>/qr.svg", views_public.lookup_qr, name="lookup_qr"),
    # The applicant: drafts, documents, submission, their own applications and files.
    path("thu-tuc/<str:code>/nop-ho-so/", views_citizen.start, name="start"),
    path("cua-toi/", views_citizen.mine, name="mine"),
    path("ho-so/<int:pk>/", views_citizen.application, name="application"),
    path("ho-so/<int:pk>/giay-to/", views_citizen.documents, name="documents"),
    path("ho-so/<int:pk>/kiem-tra/", views_citizen.review, name="review"),
    path("ho-so/<int:pk>/xoa/", views_citizen.delete, name="delete"),
    path("ho-so/<int:pk>/da-nop/", views_citizen.submitted, name="submitted"),
    path("ho-so/<int:pk>/danh-gia/", views_citizen.rate, name="rate"),
    path("tep/<int:pk>/", views_citizen.document_file, name="document_file"),
    # --- Processing side (views_staff, views_dashboard): begin. Owned by the processing side. ---
    path("xu-ly/", views_staff.queue, name="staff_queue"),
    path("xu-ly/hang-loat/", views_staff.bulk, name="staff_bulk"),
    path("xu-ly/nop-truc-tiep/", views_staff.walk_in, name="staff_walk_in"),
    path("xu-ly/so-theo-doi.pdf", views_staff.tracking_book, name="staff_tracking_book"),
    path("xu-ly/doi-soat-phi/", views_staff.reconciliation, name="staff_reconciliation"),
    path("xu-ly/chi-so-766/", views_dashboard.dashboard, name="dashboard_766"),
    path("xu-ly/chi-so-766/xuat.<str:fmt>", views_dashboard.export, name="dashboard_766_export"),
    path("xu-ly/ho-so/<str:code>/", views_staff.application, name="staff_application"),
    path("xu-ly/ho-so/<str:code>/tep/<int:pk>/", views_staff.document, name="staff_document"),
    path("xu-ly/ho-so/<str:code>/mau/<slug:form>.pdf", views_staff.form_pdf, name="staff_form_pdf"),
    path("xu-ly/ho-so/<str:code>/<slug:action>/", views_staff.act, name="staff_act"),
    path("ho-so/<int:pk>/bo-sung/", views_applicant.supply, name="supply"),
    path("ho-so/<int:pk>/thanh-toan/", views_applicant.pay, name="pay"),
    path("thanh-toan/ket-qua/", views_applicant.payment_return, name="payment_return"),
    # --- Processing side: end. ---
]
