from django.contrib import admin

from tinhso.core.admin import AuditedModelAdmin
from tinhso.dashboard.models import AlertRule


@admin.register(AlertRule)
class AlertRuleAdmin(AuditedModelAdmin):
    list_display = ["__str__", "direction", "threshold", "level", "is_active", "note"]
    list_filter = ["is_active", "level", "direction"]
    autocomplete_fields = ["indicator"]
    fields = ["indicator", "figure_key", "direction", "threshold", "level", "note", "is_active"]
