from django.conf import settings

from tinhso.core import permissions


def platform(request):
    user = getattr(request, "user", None)
    return {
        "PLATFORM_NAME": "Tỉnh số",
        "PROVINCE_NAME": getattr(settings, "PROVINCE_NAME", "Thái Nguyên"),
        "is_staff_member": bool(user and permissions.is_staff_member(user)),
    }
