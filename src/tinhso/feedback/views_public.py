"""The citizen's side of the 1022 module on the web: file a report, follow one nearby, track, rate, supplement.

Public pages never show the reporter's name, phone or e-mail, nor internal notes; files are served through
`attachment`, which checks who may see them (MEDIA_ROOT is never published).
"""

import math
import time
from dataclasses import dataclass

import numpy as np
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tinhso.core import permissions
from tinhso.core.geo import haversine_m
from tinhso.core.middleware import client_ip
from tinhso.core.models import Role
from tinhso.feedback import actions
from tinhso.feedback.forms import FollowForm, LookupForm, RatingForm, ReportForm, SupplementForm, new_token
from tinhso.feedback.models import Attachment, Category, Event, Report

NEARBY_RADIUS_M = 250
NEARBY_LIMIT = 10
_METRES_PER_DEGREE_LAT = 111_195
SESSION_CODES = "feedback_submitted"


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


# Submissions without an account: enough for a family on one connection, too few for a flood.
IP_LIMIT = Limit(5, 10 * 60)
PHONE_LIMIT = Limit(3, 60 * 60)
FOLLOW_LIMIT = Limit(20, 10 * 60)


# --- Rate limits (fixed windows in the shared cache) ---------------------------------------------------------


def _limit_key(kind: str, value: str, limit: Limit) -> str:
    return f"feedback:limit:{kind}:{value}:{int(time.time()) // limit.seconds}"


def _limit_reached(kind: str, value: str | None, limit: Limit) -> bool:
    return bool(value) and cache.get(_limit_key(kind, value, limit), 0) >= limit.count


def _limit_count(kind: str, value: str | None, limit: Limit) -> None:
    if not value:
        return
    key = _limit_key(kind, value, limit)
    cache.add(key, 0, limit.seconds)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, limit.seconds)


def _too_many(request) -> HttpResponse:
    return render(request, "feedback/public/too_many.html", status=429)


# --- Landing page and the report form ------------------------------------------------------------------------


@require_GET
def home(request):
    """Say what 1022 is, offer the report form, the code lookup and the public answers."""
    return render(request, "feedback/public/home.html", {"lookup_form": LookupForm()})


def submit(request):
    """Show and accept the report form; a repeated token returns the case already made from it."""
    if request.method == "POST":
        existing = _case_for_token(request.POST.get("token", ""))
        if existing is not None:
            return _confirmed(request, existing)
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            report = _submit(request, form)
            if isinstance(report, HttpResponse):
                return report
            if report is not None:
                return _confirmed(request, report)
    else:
        form = ReportForm(initial={"token": new_token(), **_contact_initial(request.user)})
    return render(request, "feedback/public/submit.html", {"form": form}, status=400 if form.errors else 200)


def _case_for_token(token: str) -> Report | None:
    token = token.strip()
    if not token or len(token) > 64:
        return None
    return Report.objects.filter(idempotency_key=f"web:{token}").first()


def _contact_initial(user) -> dict:
    if not user.is_authenticated:
        return {}
    return {"reporter_name": user.full_name, "reporter_phone": user.phone, "reporter_email": user.email}


def _submit(request, form: ReportForm) -> Report | HttpResponse | None:
    """Call the action; return the case, a 429 response, or None with the action's errors put on the form."""
    data = form.cleaned_data
    anonymous_visitor = not request.user.is_authenticated
    ip, phone = client_ip(request), data["reporter_phone"]
    if anonymous_visitor and (_limit_reached("ip", ip, IP_LIMIT) or _limit_reached("phone", phone, PHONE_LIMIT)):
        return _too_many(request)
    try:
        report = actions.submit_report(
            category=data["category"],
            description=data["description"],
            channel=Report.Channel.WEB,
            lon=data["lon"],
            lat=data["lat"],
            address=data["address"],
            reporter=request.user,
            reporter_name=data["reporter_name"],
            reporter_phone=phone,
            reporter_email=data["reporter_email"],
            is_anonymous=data["is_anonymous"],
            attributes=form.attributes(),
            photos=data["photos"],
            idempotency_key=f"web:{data['token']}",
        )
    except ValidationError as exc:
        _add_action_errors(form, exc)
        return None
    if anonymous_visitor:
        _limit_count("ip", ip, IP_LIMIT)
        _limit_count("phone", phone, PHONE_LIMIT)
    return report


def _add_action_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        # Only the photos are checked in the action without naming a field (uploads.clean_upload).
        form.add_error("photos", exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _confirmed(request, report: Report):
    codes = [c for c in request.session.get(SESSION_CODES, []) if c != report.code][-19:]
    request.session[SESSION_CODES] = [*codes, report.code]
    return redirect("feedback:submitted", code=report.code)


@require_GET
def submitted(request, code: str):
    """Confirm a case just filed from this browser: its code, tracking link, deadlines and messages sent."""
    if code not in request.session.get(SESSION_CODES, []):
        return redirect("feedback:track", code=code)
    report = get_object_or_404(Report.objects.select_related("category", "agency", "unit"), code=code)
    context = {
        "report": report,
        "clocks": actions.clocks_for(category=report.category, level=report.level),
        "tracking_url": actions.tracking_url(report),
    }
    return render(request, "feedback/public/submitted.html", context)


# --- Nearby open reports -------------------------------------------------------------------------------------


def nearby_reports(*, category: Category, lon: float, lat: float, radius_m: float = NEARBY_RADIUS_M) -> list:
    """Return (metres, report) for open public reports of `category` within `radius_m`, nearest first."""
    if not category.is_public:
        return []
    # A bounding box in SQL keeps the candidates few; the exact distance is measured on the sphere below.
    dlat = 1.1 * radius_m / _METRES_PER_DEGREE_LAT
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    candidates = list(
        Report.objects.open()
        .filter(category=category, is_public=True, duplicate_of__isnull=True)
        .filter(lon__range=(lon - dlon, lon + dlon), lat__range=(lat - dlat, lat + dlat))
        .select_related("unit")
        .order_by("-created_at")[:500]
    )
    if not candidates:
        return []
    metres = haversine_m(lon, lat, np.array([r.lon for r in candidates]), np.array([r.lat for r in candidates]))
    close = sorted((float(m), r.pk, r) for m, r in zip(metres, candidates, strict=True) if m <= radius_m)
    return [(m, r) for m, _pk, r in close[:NEARBY_LIMIT]]


@require_GET
def nearby(request):
    """Return the HTML fragment listing open reports of the category near the chosen point (HTMX)."""
    category = Category.objects.filter(code=request.GET.get("category", ""), is_active=True).first()
    try:
        lon, lat = float(request.GET.get("lon", "")), float(request.GET.get("lat", ""))
    except ValueError:
        lon = lat = math.nan
    found = []
    if category is not None and math.isfinite(lon) and math.isfinite(lat) and abs(lon) <= 180 and abs(lat) <= 90:
        found = nearby_reports(category=category, lon=lon, lat=lat)
    return render(request, "feedback/public/_nearby.html", {"found": found, "radius": NEARBY_RADIUS_M})


@require_POST
def follow(request):
    """Follow an open report instead of filing a duplicate (with the phone/e-mail given, or the account)."""
    if not request.user.is_authenticated and _limit_reached("follow", client_ip(request), FOLLOW_LIMIT):
        return _too_many(request)
    form = FollowForm(request.POST)
    report = None
    error = ""
    if form.is_valid():
        report = Report.objects.open().filter(code=form.cleaned_data["code"], is_public=True).first()
    if report is None:
        error = next(iter(form.errors.values()), [_("Phản ánh này không còn nhận người theo dõi.")])[0]
    else:
        try:
            actions.follow_report(
                report=report,
                user=request.user,
                phone=form.cleaned_data["reporter_phone"],
                email=form.cleaned_data["reporter_email"],
            )
        except ValidationError:
            error = _("Nhập số điện thoại hoặc thư điện tử ở phần “Thông tin liên hệ” rồi bấm lại để theo dõi.")
        else:
            _limit_count("follow", client_ip(request), FOLLOW_LIMIT)
    if not request.headers.get("HX-Request"):
        if error or report is None:
            messages.error(request, error)
            return redirect("feedback:submit")
        messages.success(request, _("Ông/bà đã theo dõi phản ánh %(code)s.") % {"code": report.code})
        return redirect("feedback:track", code=report.code)
    return render(
        request, "feedback/public/_followed.html", {"report": report, "error": error}, status=200 if not error else 400
    )


# --- Tracking, rating, supplement ----------------------------------------------------------------------------


@require_GET
def lookup(request):
    """Find a case by its code."""
    form = LookupForm(request.GET or None)
    if form.is_valid():
        return redirect("feedback:track", code=form.cleaned_data["code"])
    return render(request, "feedback/public/lookup.html", {"form": form}, status=404 if form.errors else 200)


def _is_reporter(user, report: Report) -> bool:
    return bool(user.is_authenticated and report.reporter_id == user.pk)


def rating_key_matches(key: str, report: Report) -> bool:
    """Return whether `key` is a valid, unexpired rating key (actions.rating_url) for this case."""
    if not key:
        return False
    try:
        code = signing.loads(key, salt=actions.RATING_SALT, max_age=actions.RATING_LINK_DAYS * 86400)
    except signing.BadSignature:
        return False
    return code == report.code


def _may_rate(request, report: Report, key: str) -> bool:
    if report.reporter_id:
        return _is_reporter(request.user, report)
    return rating_key_matches(key, report)


def _public_report(code: str) -> Report:
    return get_object_or_404(
        Report.objects.select_related("category", "agency", "unit", "duplicate_of"), code=code.strip().upper()
    )


def _filed_here(request, report: Report) -> bool:
    """Whether this browser filed the case (anonymously or not): its session keeps the codes it filed."""
    return report.code in request.session.get(SESSION_CODES, [])


def _may_see_file(request, attachment: Attachment) -> bool:
    """Anyone sees a public case's reviewed, not hidden file; the reporter and the case's staff see all of them."""
    report = attachment.report
    if attachment.is_shown and report.is_public:
        return True
    if _is_reporter(request.user, report) or _filed_here(request, report):
        return True
    return Role.OPERATOR in permissions.roles(request.user) or permissions.can_act_on(request.user, report)


@require_GET
def track(request, code: str):
    """The public tracking page of one case: status, deadlines, public timeline and answer; no personal data."""
    report = _public_report(code)
    key = request.GET.get("k", "")
    return _render_track(request, report, key=key)


def _render_track(request, report: Report, *, key: str = "", rating_form=None, supplement_form=None, status=200):
    is_reporter = _is_reporter(request.user, report)
    answered = report.status == Report.Status.ANSWERED
    can_rate = answered and _may_rate(request, report, key)
    photos = [
        a
        for a in report.attachments.filter(kind=Attachment.Kind.PHOTO).select_related("report")
        if _may_see_file(request, a)
    ]
    context = {
        "report": report,
        "events": report.events.filter(is_public=True),
        "photos": photos,
        "photos_pending": any(not a.is_shown for a in photos),
        "is_reporter": is_reporter,
        "can_rate": can_rate,
        "rating_form": rating_form or (RatingForm(initial={"k": key}) if can_rate else None),
        # The reporter followed a link from the answer message but must sign in to rate as their account.
        "login_to_rate": answered and not can_rate and bool(report.reporter_id) and rating_key_matches(key, report),
        "can_supplement": report.status == Report.Status.WAITING and is_reporter,
        "supplement_form": supplement_form or SupplementForm(photos_so_far=_photo_count(report)),
        "waiting_request": report.events.filter(kind=Event.Kind.WAITING, is_public=True).last()
        if report.status == Report.Status.WAITING
        else None,
    }
    return render(request, "feedback/public/track.html", context, status=status)


@require_POST
def rate(request, code: str):
    """Record the reporter's rating of the answer (signed in as the reporter, or with the signed link)."""
    report = _public_report(code)
    form = RatingForm(request.POST)
    key = request.POST.get("k", "")
    if not _may_rate(request, report, key):
        raise PermissionDenied(_("Chỉ người gửi phản ánh được đánh giá."))
    if not form.is_valid():
        return _render_track(request, report, key=key, rating_form=form, status=400)
    try:
        actions.rate_report(
            report=report,
            rating=form.cleaned_data["rating"],
            reason=form.cleaned_data["reason"],
            actor=request.user if request.user.is_authenticated else None,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Cảm ơn ông/bà đã đánh giá kết quả giải quyết."))
    return redirect("feedback:track", code=report.code)


def _photo_count(report: Report) -> int:
    return report.attachments.filter(kind=Attachment.Kind.PHOTO).count()


@login_required
@require_POST
def supplement(request, code: str):
    """Let the reporter answer a request for more information, with photos; the answer clock starts again."""
    report = _public_report(code)
    if not _is_reporter(request.user, report):
        raise PermissionDenied(_("Chỉ người gửi phản ánh được bổ sung thông tin."))
    form = SupplementForm(request.POST, request.FILES, photos_so_far=_photo_count(report))
    if not form.is_valid():
        return _render_track(request, report, supplement_form=form, status=400)
    try:
        actions.resume_report(
            report=report, actor=request.user, text=form.cleaned_data["text"], photos=form.cleaned_data["photos"]
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) == "invalid_status":  # answered twice: the case is no longer waiting
            messages.error(request, " ".join(exc.messages))
            return redirect("feedback:track", code=report.code)
        _add_action_errors(form, exc)
        return _render_track(request, report, supplement_form=form, status=400)
    else:
        messages.success(request, _("Đã gửi thông tin bổ sung; cơ quan tiếp tục xử lý phản ánh."))
    return redirect("feedback:track", code=report.code)


@login_required
@require_GET
def my_reports(request):
    """List the signed-in citizen's own reports with their status and deadlines."""
    reports = Report.objects.filter(reporter=request.user).select_related("category", "agency").order_by("-created_at")
    page = Paginator(reports, 20).get_page(request.GET.get("trang"))
    return render(request, "feedback/public/mine.html", {"page": page})


@require_GET
def attachment(request, pk: int):
    """Serve a file of a case: public photos to anyone, the rest to the reporter and the case's staff."""
    item = get_object_or_404(Attachment.objects.select_related("report"), pk=pk)
    if not _may_see_file(request, item):
        raise Http404  # a hidden file looks like a missing one
    extension = item.file.name.rsplit(".", 1)[-1] if "." in item.file.name else "bin"
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=item.content_type,
        as_attachment=not item.content_type.startswith("image/"),
        filename=f"{item.report.code}-{item.pk}.{extension}",
    )
    public = item.is_shown and item.report.is_public
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response
