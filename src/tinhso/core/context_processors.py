from django.conf import settings

from tinhso.core import permissions
from tinhso.core.models import Role


def platform(request):
    user = getattr(request, "user", None)
    roles = permissions.roles(user) if user else set()  # empty for anonymous visitors
    return {
        "PLATFORM_NAME": "Tỉnh số",
        "PROVINCE_NAME": getattr(settings, "PROVINCE_NAME", "Thái Nguyên"),
        "is_staff_member": bool(roles & permissions.STAFF_ROLES),
        "is_operator": bool(roles & {Role.OPERATOR, *permissions.PROVINCE_WIDE_ROLES}),
        # The operations dashboard is for leaders (tinhso.dashboard.views.leaders_only).
        "is_leader": bool(roles & {Role.LEADER, *permissions.PROVINCE_WIDE_ROLES}),
    }
