from django.conf import settings

from tinhso.core import permissions
from tinhso.core.models import Role


def platform(request):
    user = getattr(request, "user", None)
    roles = permissions.roles(user) if user and user.is_authenticated else set()
    return {
        "PLATFORM_NAME": "Tỉnh số",
        "PROVINCE_NAME": getattr(settings, "PROVINCE_NAME", "Thái Nguyên"),
        # Sign-in through VNeID is offered once it is configured (or its mock is on): tinhso.identity.sso.upstream.
        "VNEID_LOGIN": bool(getattr(settings, "VNEID_DISCOVERY_URL", None) or getattr(settings, "VNEID_MOCK", False)),
        "is_staff_member": bool(user and permissions.is_staff_member(user)),
        "is_operator": bool(roles & {Role.OPERATOR, *permissions.PROVINCE_WIDE_ROLES}),
        # The operations dashboard is for leaders (tinhso.dashboard.views.leaders_only).
        "is_leader": bool(roles & {Role.LEADER, *permissions.PROVINCE_WIDE_ROLES}),
    }
