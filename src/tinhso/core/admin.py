from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tinhso.core import audit, notify, permissions
from tinhso.core.api import issue_api_key
from tinhso.core.models import (
    AdminUnit,
    Agency,
    ApiClient,
    AuditEntry,
    CalendarDay,
    Membership,
    Notification,
    OfficeHours,
    Role,
    UnitSuccession,
    User,
)
from tinhso.core.text import fold
from tinhso.core.units import units_changed


class FoldedSearchMixin:
    """Search with or without diacritics: the term is folded like the models' `search_name`."""

    def get_search_results(self, request, queryset, search_term):
        # Folding lower-cases too, which SQLite's LIKE cannot do for Vietnamese capitals (Ư, Đ...).
        return super().get_search_results(request, queryset, fold(search_term))


HIDDEN_VALUE = "***"


class AuditedAdminMixin:
    """Record every add, change and delete made in the admin in the audit log, with before and after values.

    Django's LogEntry keeps only a message, and a superuser can delete it; the audit log keeps the
    values and cannot be changed. Inline rows (memberships under a user, say) are recorded too.
    """

    #: Fields left out of the audit entry (large and derived, like a boundary polygon).
    audit_exclude: tuple[str, ...] = ()
    #: Fields whose change is recorded without their value.
    audit_secret: tuple[str, ...] = ("password", "key_hash")

    def audit_values(self, obj) -> dict:
        names = [f.name for f in obj._meta.concrete_fields if f.name not in self.audit_exclude]
        values = audit.snapshot(obj, names)
        if obj.pk is not None:
            for field in obj._meta.many_to_many:
                if field.name not in self.audit_exclude:
                    values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
        return values

    def audit_record(self, request, action: str, obj, before: dict, after: dict, *, object_id: str = "") -> None:
        changes = audit.diff(before, after)
        if action == "admin.change" and not changes:
            return
        for name in self.audit_secret:
            if name in changes:
                changes[name] = [HIDDEN_VALUE, HIDDEN_VALUE]
        audit.record(actor=request.user, action=action, obj=obj, changes=changes, object_id=object_id)

    def save_model(self, request, obj, form, change):
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change and obj.pk is not None else None
        # The form has already copied its data onto `obj`, so "before" comes from the database.
        obj._audit_before = self.audit_values(stored) if stored is not None else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = obj.__dict__.pop("_audit_before", {})
        self.audit_record(request, "admin.change" if change else "admin.add", obj, before, self.audit_values(obj))

    def save_formset(self, request, form, formset, change):
        old_pks = {id(f.instance): f.instance.pk for f in formset.initial_forms if f.instance.pk is not None}
        stored = formset.model._default_manager.filter(pk__in=old_pks.values())
        before = {o.pk: self.audit_values(o) for o in stored}
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self.audit_record(request, "admin.add", obj, {}, self.audit_values(obj))
        for obj, _fields in formset.changed_objects:
            self.audit_record(request, "admin.change", obj, before.get(obj.pk, {}), self.audit_values(obj))
        for obj in formset.deleted_objects:
            pk = old_pks.get(id(obj))  # deleting has already cleared obj.pk
            self.audit_record(request, "admin.delete", obj, before.get(pk, {}), {}, object_id=str(pk))

    def delete_model(self, request, obj):
        self.audit_record(request, "admin.delete", obj, self.audit_values(obj), {})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.audit_record(request, "admin.delete", obj, self.audit_values(obj), {})
            super().delete_queryset(request, queryset)


class AuditedModelAdmin(AuditedAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyMixin:
    """Shown in the admin, never added, changed or deleted there: such records change only through actions."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class SuccessionInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]
    verbose_name = _("đơn vị kế thừa")
    verbose_name_plural = _("đơn vị kế thừa")


@admin.register(AdminUnit)
class AdminUnitAdmin(FoldedSearchMixin, AuditedModelAdmin):
    audit_exclude = ("boundary",)

    def log_change(self, request, obj, message):
        # Every edit (the unit or its successions inline) must reach the spatial and address indexes.
        transaction.on_commit(units_changed)
        return super().log_change(request, obj, message)

    def log_addition(self, request, obj, message):
        transaction.on_commit(units_changed)
        return super().log_addition(request, obj, message)

    def log_deletions(self, request, queryset):
        transaction.on_commit(units_changed)
        return super().log_deletions(request, queryset)

    list_display = [
        "code",
        "name",
        "level",
        "kind",
        "parent",
        "valid_from",
        "valid_to",
        "population",
        "area_km2",
    ]
    list_filter = ["level", "kind", ("valid_to", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name", "search_name"]
    autocomplete_fields = ["parent"]
    inlines = [SuccessionInline]
    exclude = ["boundary"]
    readonly_fields = ["min_lon", "min_lat", "max_lon", "max_lat"]
    list_per_page = 100


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(Agency)
class AgencyAdmin(FoldedSearchMixin, AuditedModelAdmin):
    list_display = ["code", "name", "kind", "parent", "unit", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "search_name", "short_name"]
    autocomplete_fields = ["parent", "unit"]
    # A bare domain typed into the website field means https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    ordering = ["phone"]
    list_display = ["phone", "full_name", "email", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "memberships__role"]
    search_fields = ["phone", "full_name", "email"]
    fieldsets = [
        (None, {"fields": ["phone", "password"]}),
        (_("Thông tin cá nhân"), {"fields": ["full_name", "email"]}),
        (
            _("Quyền"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Thời điểm"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["phone", "full_name", "password1", "password2"]})]
    inlines = [MembershipInline]

    def user_change_password(self, request, id, form_url=""):
        # The password form saves outside save_model, so it is recorded here.
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                audit.record(
                    actor=request.user,
                    action="admin.password_change",
                    obj=self.get_object(request, unquote(id)),
                    changes={"password": [HIDDEN_VALUE, HIDDEN_VALUE]},
                )
        return response


class AuditSourceFilter(admin.SimpleListFilter):
    title = _("nguồn")
    parameter_name = "nguon"

    def lookups(self, request, model_admin):
        return [
            ("admin", _("Thay đổi trong trang quản trị")),
            ("personal_data", _("Xem dữ liệu cá nhân")),
            ("system", _("Hệ thống (không có người thực hiện)")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "admin":
            return queryset.filter(action__startswith="admin.")
        if self.value() == "personal_data":
            return queryset.filter(action__startswith="personal_data.")
        if self.value() == "system":
            return queryset.filter(actor__isnull=True)
        return queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_repr", "ip"]
    list_filter = [AuditSourceFilter, "action", "object_type"]
    search_fields = ["actor_label", "actor__phone", "action", "object_repr", "object_id", "=ip", "=request_id"]
    search_help_text = _("Tìm theo người thực hiện, số điện thoại, hành động, đối tượng, địa chỉ IP hoặc mã yêu cầu.")
    date_hierarchy = "at"
    show_full_result_count = False  # the log grows without bound; skip the second COUNT(*)

    def has_view_permission(self, request, obj=None):
        # The platform's administrators: Django superusers and holders of the administrator role.
        return request.user.is_active and (request.user.is_superuser or Role.ADMIN in permissions.roles(request.user))


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedModelAdmin):
    list_display = ["date", "kind", "name", "agency"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    autocomplete_fields = ["agency"]


@admin.register(OfficeHours)
class OfficeHoursAdmin(AuditedModelAdmin):
    list_display = ["__str__", "saturday_morning"]
    autocomplete_fields = ["agency"]


@admin.register(Notification)
class NotificationAdmin(AuditedModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "recipient",
        "template",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["channel", "status", "template"]
    search_fields = ["recipient", "template", "object_id"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Gửi lại"), permissions=["change"])
    def retry_now(self, request, queryset):
        count = notify.retry_now(notifications=queryset, actor=request.user)
        self.message_user(request, _("Đã đưa %(count)d thông báo vào hàng đợi gửi lại.") % {"count": count})


@admin.register(ApiClient)
class ApiClientAdmin(AuditedModelAdmin):
    list_display = ["name", "key_prefix", "agency", "rate", "is_active", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "key_prefix"]
    readonly_fields = ["key_prefix", "last_used_at", "created_at"]
    autocomplete_fields = ["agency"]
    actions = ["issue_new_key"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        self._show_key(request, obj, issue_api_key(obj, actor=request.user))

    # Only with the change permission: the action revokes the client's key and shows the new one.
    @admin.action(description=_("Cấp khóa API mới (khóa cũ hết hiệu lực)"), permissions=["change"])
    def issue_new_key(self, request, queryset):
        for client in queryset:
            self._show_key(request, client, issue_api_key(client, actor=request.user))

    def _show_key(self, request, client, key):
        # Only the hash is stored: this message is the one time anyone sees the key.
        messages.warning(
            request,
            gettext("Khóa API của “%(client)s”: %(key)s — hãy sao chép ngay, khóa chỉ hiển thị một lần.")
            % {"client": client, "key": key},
        )
