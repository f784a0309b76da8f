from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Quản trị Tỉnh số")
admin.site.site_title = _("Quản trị Tỉnh số")
admin.site.index_title = _("Dữ liệu dùng chung")

urlpatterns = [
    path("", include("tinhso.core.urls")),
    path("api/", include("tinhso.core.api_urls")),
    path("api/v1/indicators/", include("tinhso.indicators.api_urls")),
    path("phan-anh/", include("tinhso.feedback.urls")),
    path("open311/v2/", include("tinhso.feedback.open311_urls")),
    path("tai-khoan/", include("tinhso.identity.urls")),
    path("o/", include("tinhso.identity.sso.urls")),
    path("dich-vu-cong/", include("tinhso.eservices.urls")),
    path("chi-tieu/", include("tinhso.indicators.urls")),
    path("dieu-hanh/", include("tinhso.dashboard.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
]

handler403 = "tinhso.core.views.error_403"
handler404 = "tinhso.core.views.error_404"
handler500 = "tinhso.core.views.error_500"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
