"""The deadline watch: warn an agency's leaders before a case's deadline, escalate to the province office after it.

Each case runs one clock at a time: the accept clock (from submission until accepted_at) and then the answer
clock (from accepted_at until answered_at). `warned_at` and `escalated_at` count for the running clock only when
they were set after that clock started, so a warning about acceptance does not silence the one about the answer.
An approved extension clears `warned_at` and a reopening clears both (actions.py), so the new deadline is watched
afresh. Cases waiting for the citizen are skipped: their answer clock is paused.

Run by the recurring job `feedback.check_deadlines` (tasks.py), by `tinhso check_feedback_deadlines` and by tests;
every message has an idempotency key naming the case, clock, deadline and recipient, so a re-run never sends twice.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core import audit, calendar
from tinhso.core.models import Agency, Membership, Role
from tinhso.core.notify import notify
from tinhso.feedback.actions import clocks_for, tracking_url
from tinhso.feedback.models import Event, Report

logger = logging.getLogger(__name__)

PROVINCE_OFFICE_CODE = "VP-UBND"
ACCEPT, ANSWER = "accept", "answer"
# Warn windows are a few working hours; this many calendar days ahead is enough even across Tết, and keeps the
# candidate query on the answer_due_at index instead of every open case.
LOOKAHEAD = dt.timedelta(days=21)


@dataclass
class DeadlineRun:
    warned: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)


def running_clock(report: Report) -> tuple[str, dt.datetime | None, dt.datetime]:
    """Return (clock, deadline, clock start) of the clock a case is running now."""
    if report.accepted_at is None:
        return ACCEPT, report.accept_due_at, report.created_at
    return ANSWER, report.answer_due_at, report.accepted_at


def _watched() -> "Q":
    return Q(status__in=Report.OPEN_STATUSES) & ~Q(status=Report.Status.WAITING)


def _unmarked(mark: str) -> Q:
    """Cases whose `mark` (warned_at/escalated_at) is empty or older than the running clock's start."""
    accept = Q(accepted_at__isnull=True) & (Q(**{f"{mark}__isnull": True}) | Q(**{f"{mark}__lt": F("created_at")}))
    answer = Q(accepted_at__isnull=False) & (Q(**{f"{mark}__isnull": True}) | Q(**{f"{mark}__lt": F("accepted_at")}))
    return accept | answer


def _is_marked(report: Report, mark: str) -> bool:
    value = getattr(report, mark)
    return value is not None and value >= running_clock(report)[2]


def check_deadlines(*, now: dt.datetime | None = None) -> DeadlineRun:
    """Warn and escalate every case that needs it; return the codes handled in this run."""
    now = now or timezone.now()
    run = DeadlineRun()
    due_soon = Q(accepted_at__isnull=True, accept_due_at__gt=now, accept_due_at__lte=now + LOOKAHEAD) | Q(
        accepted_at__isnull=False, answer_due_at__gt=now, answer_due_at__lte=now + LOOKAHEAD
    )
    for pk in Report.objects.filter(_watched() & _unmarked("warned_at") & due_soon).values_list("pk", flat=True):
        if warn_report(report_id=pk, now=now):
            run.warned.append(pk)
    overdue = Q(accepted_at__isnull=True, accept_due_at__lte=now) | Q(accepted_at__isnull=False, answer_due_at__lte=now)
    for pk in Report.objects.filter(_watched() & _unmarked("escalated_at") & overdue).values_list("pk", flat=True):
        if escalate_report(report_id=pk, now=now):
            run.escalated.append(pk)
    codes = dict(Report.objects.filter(pk__in=run.warned + run.escalated).values_list("pk", "code"))
    run.warned = [codes[pk] for pk in run.warned]
    run.escalated = [codes[pk] for pk in run.escalated]
    return run


def _staff_of(agency: Agency | None, *roles: str) -> list:
    if agency is None:
        return []
    members = Membership.objects.filter(
        agency=agency, role__in=roles, is_active=True, user__is_active=True
    ).select_related("user")
    return list({m.user_id: m.user for m in members}.values())


def _tell_staff(report: Report, people: list, *, key: str, title: str, message: str) -> int:
    """Queue an SMS and an e-mail (whichever the person has) to each person; return how many were queued."""
    context = {"title": title, "message": message, "url": tracking_url(report), "code": report.code}
    sent = 0
    for person in people:
        for channel, address in (("sms", person.phone), ("email", person.email)):
            if not address:
                continue
            notify(
                channel=channel,
                recipient=address,
                template="generic",
                context={**context, "name": person.full_name},
                obj=report,
                idempotency_key=f"{key}:{person.pk}:{channel}",
            )
            sent += 1
    return sent


def _stamp(due: dt.datetime) -> str:
    return timezone.localtime(due).strftime("%Y%m%d%H%M")


@transaction.atomic
def warn_report(*, report_id: int, now: dt.datetime | None = None) -> bool:
    """Warn the responsible agency's leaders when the running deadline is within the policy's warn window.

    Return whether a warning was recorded. The row is locked and re-checked, so two runs at once warn once.
    """
    now = now or timezone.now()
    report = Report.objects.select_for_update(of=("self",)).select_related("agency", "category").get(pk=report_id)
    clock, due, _start = running_clock(report)
    if due is None or due <= now or not report.is_open or report.status == Report.Status.WAITING:
        return False
    if _is_marked(report, "warned_at"):
        return False
    window = dt.timedelta(hours=clocks_for(category=report.category, level=report.level).warn_before_hours)
    if calendar.working_time_between(now, due, agency=report.agency) > window:
        return False
    due_text = timezone.localtime(due).strftime("%H:%M %d/%m/%Y")
    if clock == ACCEPT:
        title = _("Phản ánh %(code)s sắp quá hạn tiếp nhận") % {"code": report.code}
        message = _("Hạn tiếp nhận, phân công: %(due)s.") % {"due": due_text}
    else:
        title = _("Phản ánh %(code)s sắp quá hạn trả lời") % {"code": report.code}
        message = _("Hạn trả lời người dân: %(due)s.") % {"due": due_text}
    leaders = _staff_of(report.agency, Role.LEADER)
    sent = _tell_staff(
        report, leaders, key=f"feedback:warn:{report.pk}:{clock}:{_stamp(due)}", title=title, message=message
    )
    report.warned_at = now
    report.save(update_fields=["warned_at", "search_text"])
    audit.record(
        action="feedback.deadline.warn",
        obj=report,
        extra={"clock": clock, "due": due.isoformat(), "recipients": [p.pk for p in leaders], "messages": sent},
    )
    if not leaders:
        logger.warning(
            "Case %s is near its %s deadline and agency %s has no leader to warn.", report, clock, report.agency
        )
    return True


@transaction.atomic
def escalate_report(*, report_id: int, now: dt.datetime | None = None) -> bool:
    """Report a case past its running deadline to the province office (Văn phòng UBND tỉnh), once per clock.

    Return whether an escalation was recorded. The timeline entry is internal: the citizen sees the deadline pass
    on the tracking page, not the internal escalation.
    """
    now = now or timezone.now()
    report = Report.objects.select_for_update(of=("self",)).select_related("agency").get(pk=report_id)
    clock, due, _start = running_clock(report)
    if due is None or due > now or not report.is_open or report.status == Report.Status.WAITING:
        return False
    if _is_marked(report, "escalated_at"):
        return False
    office = Agency.objects.filter(code=PROVINCE_OFFICE_CODE, is_active=True).first()
    people = _staff_of(office, Role.LEADER, Role.CLERK)
    due_text = timezone.localtime(due).strftime("%H:%M %d/%m/%Y")
    agency_name = report.agency.name if report.agency else _("chưa có cơ quan xử lý")
    if clock == ACCEPT:
        title = _("Phản ánh %(code)s quá hạn tiếp nhận") % {"code": report.code}
    else:
        title = _("Phản ánh %(code)s quá hạn trả lời") % {"code": report.code}
    message = _("Cơ quan xử lý: %(agency)s. Hạn: %(due)s.") % {"agency": agency_name, "due": due_text}
    sent = _tell_staff(
        report, people, key=f"feedback:escalate:{report.pk}:{clock}:{_stamp(due)}", title=title, message=message
    )
    report.escalated_at = now
    report.save(update_fields=["escalated_at", "search_text"])
    Event.objects.create(
        report=report,
        kind=Event.Kind.ESCALATED,
        at=now,
        is_public=False,
        text=message,
        from_status=report.status,
        to_status=report.status,
        data={"clock": clock, "due": due.isoformat(), "office": office.pk if office else None},
    )
    audit.record(
        action="feedback.deadline.escalate",
        obj=report,
        extra={"clock": clock, "due": due.isoformat(), "recipients": [p.pk for p in people], "messages": sent},
    )
    if office is None:
        logger.warning(
            "Case %s is overdue and no active agency %s exists to escalate to.", report, PROVINCE_OFFICE_CODE
        )
    return True
