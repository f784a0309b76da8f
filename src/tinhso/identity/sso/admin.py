"""Clients are registered by administrators: django-oauth-toolkit's application admin with the platform's policy."""

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from oauth2_provider import admin as dot_admin  # registers the toolkit's admin classes first
from oauth2_provider.forms import ApplicationForm
from oauth2_provider.models import get_application_model

from tinhso.identity.sso.models import ClientPolicy, Consent

Application = get_application_model()


class ClientPolicyInline(admin.StackedInline):
    model = ClientPolicy
    can_delete = False
    min_num = 1
    max_num = 1


LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}


def insecure_redirect_uris(text: str) -> list[str]:
    """Return the URIs that are neither https nor http on a loopback address."""
    bad = []
    for uri in (text or "").split():
        parts = urlsplit(uri)
        if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
            continue
        bad.append(uri)
    return bad


class ClientForm(ApplicationForm):
    def clean(self):
        data = super().clean()
        if not settings.DEBUG:
            for name in ("redirect_uris", "post_logout_redirect_uris"):
                bad = insecure_redirect_uris(data.get(name, ""))
                if bad:
                    message = _("Chỉ chấp nhận địa chỉ https (http chỉ cho 127.0.0.1): %(uris)s")
                    self.add_error(name, forms.ValidationError(message, params={"uris": ", ".join(bad)}))
        return data


class ApplicationAdmin(dot_admin.ApplicationAdmin):
    form = ClientForm
    inlines = [ClientPolicyInline]
    list_display = ("name", "client_id", "client_type", "authorization_grant_type")
    search_fields = ("name", "client_id")


if admin.site.is_registered(Application):
    admin.site.unregister(Application)
admin.site.register(Application, ApplicationAdmin)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("user", "application", "scopes", "granted_at")
    list_select_related = ("user", "application")
    search_fields = ("application__name",)
    readonly_fields = ("user", "application", "scopes", "granted_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
