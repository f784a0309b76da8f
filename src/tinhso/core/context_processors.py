from django.conf import settings

from tinhso.core import permissions
from tinhso.core.models import Role


def platform(request):
    user = getattr(request, "user", None)
    return {
        "PLATFORM_NAME": "Tỉnh số",
        "PROVINCE_NAME": getattr(settings, "PROVINCE_NAME", "Thái Nguyên"),
        "is_staff_member": bool(user and permissions.is_staff_member(user)),
        "is_operator": bool(user and permissions.roles(user) & {Role.OPERATOR, *permissions.PROVINCE_WIDE_ROLES}),
    }
