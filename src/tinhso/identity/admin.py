"""Identity data in the admin: read-only profiles (levels change only through actions), organisations, and the
deletion requests administrators answer (Decree 13/2023/NĐ-CP: within 72 hours)."""

from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core import audit
from tinhso.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from tinhso.identity.models import DeletionRequest, Organisation, OrganisationMember, Profile


@admin.register(Profile)
class ProfileAdmin(ReadOnlyAdmin):
    list_display = ["user", "assurance_level", "level_source", "level_set_at", "requires_mfa"]
    list_filter = ["assurance_level", "level_source", "requires_mfa"]
    search_fields = ["user__phone", "user__full_name"]
    fields = ["user", "assurance_level", "level_source", "level_set_at", "level_set_by", "id_number_masked"]
    readonly_fields = fields

    @admin.display(description=_("số định danh"))
    def id_number_masked(self, obj):
        return obj.id_number_masked or "—"


class MemberInline(admin.TabularInline):
    model = OrganisationMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ["name", "tax_code", "created_at"]
    search_fields = ["name", "tax_code"]
    inlines = [MemberInline]


@admin.register(DeletionRequest)
class DeletionRequestAdmin(AuditedModelAdmin):
    list_display = ["user_label", "created_at", "status", "handled_at"]
    list_filter = ["status"]
    fields = ["user_label", "reason", "created_at", "status", "answer", "handled_by", "handled_at"]
    readonly_fields = ["user_label", "reason", "created_at", "handled_by", "handled_at"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            obj.handled_by, obj.handled_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)


# allauth's own admin searches `user__username`, which our phone-first user has not. Import it first: this app
# comes before allauth in INSTALLED_APPS, so its admin module is not loaded yet.
import allauth.usersessions.admin  # noqa: E402, F401

admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    """Administrators end a user's sessions here (ASVS 7.4.5); ending deletes the Django session too."""

    raw_id_fields = ["user"]
    list_display = ["user", "created_at", "last_seen_at", "ip", "user_agent"]
    search_fields = ["user__phone", "user__full_name", "ip"]
    actions = ["end_sessions"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a bare delete would leave the Django session alive: use the action

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.user.is_superuser or request.user.has_perm("usersessions.delete_usersession"):
            return actions
        return {}

    @admin.action(description=_("Kết thúc các phiên đã chọn"))
    def end_sessions(self, request, queryset):
        for session in queryset.select_related("user"):
            audit.record(actor=request.user, action="auth.session_end", obj=session.user, object_repr=str(session.user))
            session.end()
