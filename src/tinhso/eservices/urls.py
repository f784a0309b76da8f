from django.urls import path

from tinhso.eservices import views_citizen, views_public

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
]
