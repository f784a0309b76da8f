"""Models every module shares: units, agencies, people, audit, calendar, notifications."""

from .accounts import Membership, Role, User
from .agencies import Agency
from .apiclients import ApiClient
from .audit import AuditEntry
from .calendar import CalendarDay, OfficeHours
from .notifications import Notification
from .scheduling import ScheduledRun
from .sequences import Sequence
from .units import AdminUnit, UnitSuccession

__all__ = [
    "AdminUnit",
    "Agency",
    "ApiClient",
    "AuditEntry",
    "CalendarDay",
    "Membership",
    "Notification",
    "OfficeHours",
    "Role",
    "ScheduledRun",
    "Sequence",
    "UnitSuccession",
    "User",
]
