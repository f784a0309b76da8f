"""Load the province's default office hours and the announced day swaps the holidays package lacks.

Idempotent: existing rows are left as they are, so an administrator's later edits survive a reload.
"""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.core import audit
from tinhso.core.models import CalendarDay, OfficeHours

# Civil-service day swaps announced by the Government that holidays 0.109 does not know. Check every new
# year's notices (Bộ Nội vụ / Văn phòng Chính phủ) against `holidays.VN` and add what is missing here or in
# the admin. Source of each row in its name.
ANNOUNCED_SWAPS = [
    (
        dt.date(2026, 1, 2),
        CalendarDay.Kind.DAY_OFF,
        "Nghỉ Tết Dương lịch 2026, hoán đổi với thứ Bảy 10/01/2026 (Công văn 12729/VPCP-KGVX ngày 25/12/2025)",
    ),
    (
        dt.date(2026, 1, 10),
        CalendarDay.Kind.WORKING_DAY,
        "Làm bù cho thứ Sáu 02/01/2026 (Công văn 12729/VPCP-KGVX ngày 25/12/2025)",
    ),
]


class Command(BaseCommand):
    help = "Nạp giờ làm việc mặc định và các ngày hoán đổi đã công bố nhưng thư viện holidays chưa có."

    @transaction.atomic
    def handle(self, *args, **options):
        created = 0
        hours, made = OfficeHours.objects.get_or_create(agency=None)
        if made:
            audit.record(action="calendar.office_hours_created", obj=hours, changes=_as_changes(hours))
            created += 1
        for date, kind, name in ANNOUNCED_SWAPS:
            day, made = CalendarDay.objects.get_or_create(date=date, agency=None, defaults={"kind": kind, "name": name})
            if made:
                audit.record(action="calendar.day_created", obj=day, changes=_as_changes(day))
                created += 1
        if options["verbosity"]:
            self.stdout.write(_("Lịch làm việc: thêm %(count)d dòng.") % {"count": created})


def _as_changes(obj) -> dict:
    return audit.diff({}, audit.snapshot(obj))
