"""Open311 GeoReport v2 at /open311/v2/: the 1022 categories and cases for partner apps (docs/open311.md).

Open311 has its own error format, a list of {code, description}, rendered in the requested format; it is kept
here instead of the platform's {"errors": [...]} format so that off-the-shelf Open311 clients understand it.
"""

import datetime as dt
import functools
import hashlib
import json
import math
import re
import secrets
import xml.etree.ElementTree as ET
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation, ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tinhso.core.api import ClientRateThrottle, hash_key
from tinhso.core.models import ApiClient
from tinhso.core.privacy import mask_address, mask_contacts
from tinhso.feedback import actions
from tinhso.feedback.models import Attachment, Category, DeadlinePolicy, Event, Level, Report

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: When the API's surface last changed (discovery `changeset`).
CHANGESET = "2026-11-28T00:00:00+07:00"
MAX_WINDOW = dt.timedelta(days=90)
MAX_ITEMS = 1000
LAST_USED_PRECISION = dt.timedelta(minutes=1)
MAX_IDS = 200
MAX_MEDIA_URLS = 5
MAX_ATTRIBUTE_LENGTH = 2000
#: How long an identical POST from the same app counts as a retry when it sends no Idempotency-Key header.
RETRY_WINDOW = dt.timedelta(hours=24)
LIST_TYPES = ("singlevaluelist", "multivaluelist")
DATATYPES = ("string", "number", "datetime", "text", *LIST_TYPES)

#: Report.status → Open311 status (docs/open311.md has the table).
OPEN311_STATUS = {
    **dict.fromkeys(Report.OPEN_STATUSES, "open"),
    **dict.fromkeys((Report.Status.ANSWERED, Report.Status.CLOSED, Report.Status.REJECTED), "closed"),
}

#: Public timeline step → FixMyStreet extended status of servicerequestupdates (docs/open311.md).
UPDATE_STATUS = {
    Event.Kind.ACCEPTED: "investigating",
    Event.Kind.ASSIGNED: "investigating",
    Event.Kind.TRANSFERRED: "internal_referral",
    Event.Kind.STARTED: "in_progress",
    Event.Kind.WAITING: "investigating",
    Event.Kind.RESUMED: "in_progress",
    Event.Kind.EXTENDED: "in_progress",
    Event.Kind.ESCALATED: "in_progress",
    Event.Kind.ANSWERED: "fixed",
    Event.Kind.CLOSED: "closed",
    Event.Kind.REOPENED: "reopen",
}
REJECTED_STATUS = {
    Report.RejectionReason.DUPLICATE: "duplicate",
    Report.RejectionReason.OUT_OF_SCOPE: "not_councils_responsibility",
    Report.RejectionReason.NOT_ENOUGH_INFO: "no_further_action",
}
#: Steps whose text the tracking page shows; the others' text (a transfer reason, a citizen's own words) is not
#: public, so the update carries the step's name instead.
PUBLIC_TEXT_KINDS = (Event.Kind.ANSWERED, Event.Kind.REJECTED, Event.Kind.WAITING, Event.Kind.EXTENDED)

# The child element of each list in the XML form (Open311's Spark convention).
_ITEM_TAG = {
    "services": "service",
    "service_requests": "request",
    "service_requests_updates": "request_update",
    "service_request_updates": "request_update",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
}
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ATTRIBUTE_KEY = re.compile(r"attribute\[([^\[\]]{1,80})\](\[\])?")


class Open311Error(Exception):
    """An error answered in Open311's own format: HTTP status and a list of {code, description}."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# --- Rendering ----------------------------------------------------------------------------------------------


def _xml_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _xml_add(parent: ET.Element, tag: str, value) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_add(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _xml_add(element, _ITEM_TAG[tag], item)
    else:
        element.text = _xml_text(value)


def render(fmt: str, root: str, data, *, status: int = 200) -> HttpResponse:
    """Return `data` as Open311 JSON (lists as top-level arrays) or XML (declaration, no namespace)."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        element = ET.Element(root)
        items = data.items() if isinstance(data, dict) else ((_ITEM_TAG[root], item) for item in data)
        for tag, value in items:
            _xml_add(element, tag, value)
        body = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode")
    return HttpResponse(body.encode("utf-8"), status=status, content_type=FORMATS[fmt])


def error_response(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    errors = [{"code": status, "description": text} for text in descriptions]
    return render(fmt if fmt in FORMATS else "xml", "errors", errors, status=status)


def when(value: dt.datetime | None) -> str | None:
    """Return a w3 datetime with the local offset: 2025-01-02T08:00:00+07:00."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- Request parsing ----------------------------------------------------------------------------------------


def _param(data, name: str) -> str | None:
    """Return a stripped parameter; empty means absent (GeoReport v2, "Optional Arguments")."""
    value = data.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _parse_when(text: str, name: str) -> dt.datetime:
    try:
        value = parse_datetime(text)
        if value is None and (day := parse_date(text)) is not None:
            value = dt.datetime.combine(day, dt.time.min)
    except (ValueError, OverflowError):
        value = None
    if value is None or not 2000 <= value.year <= 2100:
        raise Open311Error(
            400, _("%(name)s không đúng định dạng ngày giờ W3C, ví dụ 2025-01-02T08:00:00+07:00.") % {"name": name}
        )
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _window(data) -> tuple[dt.datetime, dt.datetime | None]:
    """Return the requested_datetime range: at most 90 days; the most recent 90 days by default."""
    start, end = _param(data, "start_date"), _param(data, "end_date")
    start = _parse_when(start, "start_date") if start else None
    end = _parse_when(end, "end_date") if end else None
    if start and end:
        if end < start:
            raise Open311Error(400, _("end_date phải sau start_date."))
        if end - start > MAX_WINDOW:
            raise Open311Error(400, _("Khoảng thời gian không được dài quá 90 ngày."))
        return start, end
    if start:
        return start, start + MAX_WINDOW
    if end:
        return end - MAX_WINDOW, end
    return timezone.now() - MAX_WINDOW, None


def _positive_int(data, name: str, default: int, maximum: int) -> int:
    text = _param(data, name)
    if text is None:
        return default
    if not text.isdigit() or len(text) > 9 or int(text) < 1:
        raise Open311Error(400, _("%(name)s phải là số nguyên dương.") % {"name": name})
    return min(int(text), maximum)


def _codes(text: str | None, limit: int = MAX_IDS) -> list[str]:
    codes = [code.strip() for code in (text or "").split(",") if code.strip()]
    if len(codes) > limit:
        raise Open311Error(400, _("Tối đa %(n)s mã trong một lần tra cứu.") % {"n": limit})
    return codes


def _media_urls(data) -> list[str]:
    urls = [url.strip() for url in data.getlist("media_url") if url.strip()][:MAX_MEDIA_URLS]
    check = URLValidator(schemes=("http", "https"))
    for url in urls:
        try:
            if len(url) > 1000:
                raise ValidationError("too long")
            check(url)
        except ValidationError:
            raise Open311Error(400, _("media_url không phải địa chỉ http(s) hợp lệ.")) from None
    return urls


def _client_for_key(key: str | None) -> ApiClient | None:
    """Return the active API client owning `key` (the same hashing and prefix lookup as core.api)."""
    if not key:
        return None
    prefix = key.split(".", 1)[0]
    client = ApiClient.objects.filter(key_prefix=prefix[:12], is_active=True).first()
    if client is None or not secrets.compare_digest(client.key_hash, hash_key(key)):
        return None
    now = timezone.now()
    # To the minute is enough for "last used", and saves a write (a commit of its own) on every request.
    if client.last_used_at is None or now - client.last_used_at > LAST_USED_PRECISION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


def _key_from(request, data) -> str | None:
    key = _param(data, "api_key")
    if key is None:
        parts = request.headers.get("Authorization", "").split()
        if len(parts) == 2 and parts[0].lower() == "api-key":
            key = parts[1]
    return key


def _throttle(request, client: ApiClient | None) -> int | None:
    """Return the seconds to wait when the caller is over its rate (core.api's per-client buckets), else None."""
    throttle = ClientRateThrottle()
    caller = SimpleNamespace(auth=client, user=AnonymousUser(), META=request.META, headers=request.headers)
    if throttle.allow_request(caller, None):
        return None
    return math.ceil(throttle.wait() or 1)


def endpoint(*methods: str):
    """Wrap an Open311 view: format, method, jurisdiction, api_key, rate limit and errors in Open311's format.

    The wrapped view gets (request, fmt, data, client, **kwargs); `client` is the caller's ApiClient or None.
    """

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, fmt: str, **kwargs):
            if fmt not in FORMATS:
                return error_response("xml", 404, _("Định dạng không hỗ trợ; dùng .xml hoặc .json."))
            if request.method not in methods:
                return error_response(fmt, 400, _("Phương thức %(m)s không được hỗ trợ.") % {"m": request.method})
            try:
                data = request.POST if request.method == "POST" else request.GET
                if any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists()):
                    raise Open311Error(400, _("Tham số chứa ký tự không hợp lệ."))
                jurisdiction = _param(data, "jurisdiction_id")
                if jurisdiction is not None and jurisdiction != settings.OPEN311_JURISDICTION:
                    raise Open311Error(404, _("Không phục vụ jurisdiction_id %(j)s.") % {"j": jurisdiction[:100]})
                key = _key_from(request, data)
                client = _client_for_key(key)
                if key is not None and client is None:
                    raise Open311Error(403, _("api_key không hợp lệ hoặc đã bị thu hồi."))
                wait = _throttle(request, client)
                if wait is not None:
                    response = error_response(
                        fmt, 429, _("Quá nhiều yêu cầu; vui lòng thử lại sau %(s)s giây.") % {"s": wait}
                    )
                    response["Retry-After"] = str(wait)
                    return response
                return view(request, fmt, data, client, **kwargs)
            except Open311Error as exc:
                return error_response(fmt, exc.status, exc.description)
            except ValidationError as exc:
                return error_response(fmt, 400, *exc.messages)
            except PermissionDenied as exc:
                return error_response(fmt, 403, str(exc) or _("Không có quyền."))
            except (SuspiciousOperation, RequestDataTooBig, UnicodeDecodeError):
                return error_response(fmt, 400, _("Yêu cầu không hợp lệ."))

        return wrapper

    return decorate


# --- Services -----------------------------------------------------------------------------------------------


def definition(category: Category) -> list[dict]:
    """Return the category's Open311 attributes, each with a unique positive `order`; list types have values."""
    raw, seen = [], set()
    for index, item in enumerate(category.attributes if isinstance(category.attributes, list) else []):
        code = str(item.get("code", "")).strip() if isinstance(item, dict) else ""
        if code and code not in seen:
            seen.add(code)
            raw.append((index, code, item))

    def position(entry):
        order = entry[2].get("order")
        valid = isinstance(order, int) and not isinstance(order, bool) and order > 0
        return (0, order, entry[0]) if valid else (1, 0, entry[0])

    attributes = []
    # Renumbered 1..n in the administrator's order: the spec wants each order positive and unique.
    for order, (_index, code, item) in enumerate(sorted(raw, key=position), start=1):
        datatype = item.get("datatype") if item.get("datatype") in DATATYPES else "string"
        values = [
            {"key": str(value["key"]), "name": str(value.get("name") or value["key"])}
            for value in item.get("values") or []
            if isinstance(value, dict) and value.get("key") not in (None, "")
        ]
        if datatype in LIST_TYPES and not values:
            datatype = "string"  # a list without choices cannot be answered; ask for free text instead
        variable = item.get("variable", True) is not False
        attribute = {
            "variable": variable,
            "code": code,
            "datatype": datatype,
            "required": variable and bool(item.get("required")),
            "datatype_description": item.get("datatype_description") or None,
            "order": order,
            "description": str(item.get("description") or code),
        }
        if datatype in LIST_TYPES:
            attribute["values"] = values
        attributes.append(attribute)
    return attributes


def service_notice(category: Category, level: str) -> str:
    """Return what the citizen can expect: the category's answer deadline in working time."""
    return _notice(actions.clocks_for(category=category, level=level))


class Notices(dict):
    """The service notice of each (category id, level) of a page of cases, from one read of every deadline policy
    (the same choice as actions.clocks_for: the category's own row, the default row, the built-in default)."""

    def __init__(self):
        super().__init__()
        self.policies = {(p.category_id, p.level): p for p in DeadlinePolicy.objects.all()}

    def __missing__(self, key) -> str:
        category_id, level = key
        policy = self.policies.get((category_id, level)) or self.policies.get((None, level))
        if policy is None:
            clocks = actions.DEFAULT_CLOCKS[Level(level)]
        else:
            clocks = actions.Clocks(policy.accept_hours, policy.answer_days, policy.answer_hours, 0)
        self[key] = _notice(clocks)
        return self[key]


def _notice(clocks) -> str:
    if clocks.answer_hours:
        answer = _("%(n)s giờ làm việc") % {"n": clocks.answer_hours}
    else:
        answer = _("%(n)s ngày làm việc") % {"n": clocks.answer_days}
    return _("Tiếp nhận trong %(accept)s giờ làm việc, trả lời trong %(answer)s.") % {
        "accept": clocks.accept_hours,
        "answer": answer,
    }


@endpoint("GET")
def discovery(request, fmt, data, client):
    """Return the service discovery document."""
    url = request.build_absolute_uri(reverse("open311:discovery", args=[fmt])).rsplit("/", 1)[0]
    document = {
        "changeset": CHANGESET,
        "contact": _("Tổng đài 1022 tỉnh Thái Nguyên; hỗ trợ kỹ thuật: %(email)s")
        % {"email": settings.DEFAULT_FROM_EMAIL},
        "key_service": _("Cơ quan, doanh nghiệp đề nghị cấp khóa API với Sở Khoa học và Công nghệ: %(url)s")
        % {"url": settings.SITE_URL},
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", document)


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": bool(definition(category)),
        "type": "realtime",
        "keywords": category.keywords or None,
        "group": category.group or None,
    }


@endpoint("GET")
def services(request, fmt, data, client):
    """Return the categories that take reports."""
    return render(fmt, "services", [_service(c) for c in Category.objects.filter(is_active=True)])


@endpoint("GET")
def service_definition(request, fmt, data, client, code: str):
    """Return one category's attributes; only categories with metadata=true have a definition."""
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise Open311Error(404, _("Không có service_code %(code)s.") % {"code": code[:80]})
    attributes = definition(category)
    if not attributes:
        raise Open311Error(404, _("Lĩnh vực %(code)s không có câu hỏi bổ sung (metadata=false).") % {"code": code})
    return render(fmt, "service_definition", {"service_code": category.code, "attributes": attributes})


# --- Requests -----------------------------------------------------------------------------------------------


def _answer(attribute: dict, values: list[str]):
    """Return the checked answer to one attribute, or raise Open311Error."""
    name = attribute["description"]
    datatype = attribute["datatype"]
    invalid = Open311Error(
        400, _("Giá trị của “%(name)s” (%(code)s) không hợp lệ.") % {"name": name, "code": attribute["code"]}
    )
    if datatype != "multivaluelist" and len(values) > 1:
        raise invalid
    if any(len(value) > MAX_ATTRIBUTE_LENGTH for value in values):
        raise invalid
    keys = {value["key"] for value in attribute.get("values", [])}
    if datatype == "multivaluelist":
        if not set(values) <= keys:
            raise invalid
        return values
    value = values[0]
    if datatype == "singlevaluelist" and value not in keys:
        raise invalid
    if datatype == "number":
        try:
            number = float(value)
        except ValueError:
            raise invalid from None
        if not math.isfinite(number):
            raise invalid
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if datatype == "datetime":
        try:
            return _parse_when(value, attribute["code"]).isoformat()
        except Open311Error:
            raise invalid from None
    return value


def posted_attributes(data, category: Category) -> dict:
    """Return the answers to the category's attributes from attribute[CODE] and attribute[CODE][] fields."""
    given: dict[str, list[str]] = {}
    for key in data:
        match = _ATTRIBUTE_KEY.fullmatch(key)
        if match:
            given.setdefault(match[1], []).extend(v.strip() for v in data.getlist(key) if v.strip())
    answers, missing = {}, []
    # Codes the category does not ask about are ignored, as FixMyStreet sends extra ones of its own.
    for attribute in definition(category):
        if not attribute["variable"]:
            continue
        values = given.get(attribute["code"], [])
        if not values:
            if attribute["required"]:
                missing.append(attribute["description"])
            continue
        answers[attribute["code"]] = _answer(attribute, values)
    if missing:
        raise Open311Error(400, _("Thiếu thông tin bắt buộc: %(names)s.") % {"names": ", ".join(missing)})
    return answers


def _location(data) -> tuple[float | None, float | None, str]:
    lat, lon, address = _param(data, "lat"), _param(data, "long"), _param(data, "address_string") or ""
    if (lat is None) != (lon is None):
        raise Open311Error(400, _("Cần gửi cả lat và long."))
    if lat is not None:
        try:
            lat_value, lon_value = float(lat), float(lon)
        except ValueError:
            raise Open311Error(400, _("lat và long phải là số (WGS84).")) from None
        if not (math.isfinite(lat_value) and math.isfinite(lon_value)) or abs(lat_value) > 90 or abs(lon_value) > 180:
            raise Open311Error(400, _("lat và long nằm ngoài phạm vi WGS84."))
        return lat_value, lon_value, address[:255]
    if not address:
        if _param(data, "address_id"):
            raise Open311Error(400, _("Chưa hỗ trợ address_id; vui lòng gửi lat và long hoặc address_string."))
        raise Open311Error(400, _("Thiếu vị trí: gửi lat và long hoặc address_string."))
    return None, None, address[:255]


def _contact(data) -> dict:
    email = _param(data, "email") or ""
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, _("Địa chỉ email không hợp lệ.")) from None
    name = " ".join(filter(None, [_param(data, "first_name"), _param(data, "last_name")]))
    return {"reporter_name": name[:150], "reporter_phone": _param(data, "phone") or "", "reporter_email": email}


def _idempotency_key(request, data, client: ApiClient) -> tuple[str, str | None]:
    """Return the key to store with the case and, for a derived key, the prefix that finds a recent retry.

    With an Idempotency-Key header the key is the client's and holds for ever. Without one, a POST with the
    same fields from the same app within RETRY_WINDOW is taken as a retry of the first.
    """
    header = request.headers.get("Idempotency-Key", "").strip()
    if header:
        digest = hashlib.sha256(header.encode()).hexdigest()[:40]
        return f"open311:{client.pk}:h:{digest}", None
    fields = sorted((k, v) for k, values in data.lists() if k not in ("api_key", "jurisdiction_id") for v in values)
    digest = hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()[:40]
    prefix = f"open311:{client.pk}:d:{digest}:"
    # The bucket only keeps two racing retries on one key; finding a retry goes through the prefix lookup.
    bucket = int(timezone.now().timestamp()) // 600
    return f"{prefix}{bucket}", prefix


def _description(data, category: Category, answers: dict) -> str:
    text = _param(data, "description") or ""
    if len(text) > actions.MAX_DESCRIPTION:
        raise Open311Error(400, _("description dài quá %(n)s ký tự.") % {"n": actions.MAX_DESCRIPTION})
    if text:
        return text
    # description is optional in Open311 but a case needs words: say what was chosen.
    labels = {a["code"]: a["description"] for a in definition(category)}
    lines = [
        f"{labels.get(code, code)}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
        for code, v in answers.items()
    ]
    return "\n".join([category.name, *lines])


def create_request(request, fmt, data, client):
    """Create a case from an Open311 POST; return a one-element list with its service_request_id."""
    if client is None:
        raise Open311Error(403, _("Thiếu api_key: cần khóa API để gửi phản ánh."))
    code = _param(data, "service_code")
    if code is None:
        raise Open311Error(400, _("Thiếu service_code."))
    category = Category.objects.filter(code=code, is_active=True).select_related("default_agency").first()
    if category is None:
        raise Open311Error(404, _("Không có service_code %(code)s.") % {"code": code[:80]})
    lat, lon, address = _location(data)
    answers = posted_attributes(data, category)
    description = _description(data, category, answers)
    media = _media_urls(data)
    if media:
        answers["media_url"] = media
    key, retry_prefix = _idempotency_key(request, data, client)
    report = None
    if retry_prefix:
        since = timezone.now() - RETRY_WINDOW
        report = Report.objects.filter(idempotency_key__startswith=retry_prefix, created_at__gte=since).first()
    if report is None:
        photos = request.FILES.getlist("media")
        if len(photos) > 5:
            raise Open311Error(400, _("Tối đa 5 ảnh cho một phản ánh."))
        report = actions.submit_report(
            category=category,
            description=description,
            channel=Report.Channel.API,
            lon=lon,
            lat=lat,
            address=address,
            attributes=answers,
            photos=photos,
            api_client=client,
            idempotency_key=key,
            **_contact(data),
        )
    created = {"service_request_id": report.code, "service_notice": service_notice(report.category, report.level)}
    created["account_id"] = None
    return render(fmt, "service_requests", [created])


def _public_photo_url(request, report: Report) -> str | None:
    photo = next(iter(report.public_photos), None)
    if photo is None:
        return None
    try:
        path = reverse("feedback:file", args=[photo.pk])
    except NoReverseMatch:
        path = photo.file.url
    return request.build_absolute_uri(path)


def _status_notes(report: Report) -> str | None:
    if report.status == Report.Status.REJECTED:
        return f"{report.get_rejection_reason_display()}: {report.rejection_note}".strip(": ")
    return report.public_answer or None


def _updated(report: Report) -> dt.datetime:
    """Return the close time for a closed case (answered, closed or rejected), else the last update."""
    if report.status == Report.Status.ANSWERED:
        return report.answered_at or report.updated_at
    if report.status in (Report.Status.CLOSED, Report.Status.REJECTED):
        return report.closed_at or report.updated_at
    return report.updated_at


def _expected(report: Report) -> dt.datetime | None:
    """Return the deadline the case runs against: acceptance first, then the answer."""
    if report.accepted_at is None and report.answer_due_at is None:
        return report.accept_due_at
    return report.answer_due_at


def _public_step(event: Event) -> tuple[str, str]:
    """Return a public step's FixMyStreet status and its public text (else the step's name)."""
    if event.kind == Event.Kind.REJECTED:
        status = REJECTED_STATUS.get(event.data.get("reason"), "no_further_action")
    else:
        status = UPDATE_STATUS[event.kind]
    text = event.text if event.kind in PUBLIC_TEXT_KINDS and event.text else event.get_kind_display()
    return status, text


def extended(report: Report) -> dict:
    """Return the `?extensions=true` fields of a public case: its detailed status, channel, level and commune,
    and `notes`, its public steps oldest first ({datetime, description, type}, type a FixMyStreet status)."""
    notes = []
    for event in report.public_steps:
        status, text = _public_step(event)
        notes.append({"datetime": when(event.at), "description": text, "type": status})
    return {
        "extended_attributes": {
            "detailed_status": report.status,
            "channel": report.channel,
            "service_level": report.level,
            "commune": report.unit.name if report.unit else None,
        },
        "notes": notes,
    }


def request_item(request, report: Report, notices: dict, *, extensions: bool = False) -> dict:
    """Return one case as an Open311 request: no name, phone or e-mail; a non-public case shows no content.
    With `extensions`, a public case also carries extended() (a non-public one an empty list of notes)."""
    key = (report.category_id, report.level)
    if key not in notices and not isinstance(notices, Notices):  # Notices fills itself from the policies it read
        notices[key] = service_notice(report.category, report.level)
    public = report.is_public
    address = mask_address(report.address) if report.address else (report.unit.name if report.unit else "")
    item = {
        "service_request_id": report.code,
        "status": OPEN311_STATUS[report.status],
        "status_notes": _status_notes(report) if public else None,
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": report.public_text if public else None,
        "agency_responsible": report.agency.name if report.agency else None,
        "service_notice": notices[key],
        "requested_datetime": when(report.created_at),
        "updated_datetime": when(_updated(report)),
        "expected_datetime": when(_expected(report)),
        "address": (address or None) if public else None,
        "address_id": None,
        "zipcode": None,
        "lat": report.lat if public else None,
        "long": report.lon if public else None,
        "media_url": _public_photo_url(request, report) if public else None,
    }
    if extensions:
        item.update(extended(report) if public else {"extended_attributes": None, "notes": []})
    return item


#: The columns request_item reads, fetched as plain rows: a page is up to 1,000 cases, and building a model
#: instance per case and per related row (4,000 per page) was most of the request's time (docs/benchmarks.md).
ROW_FIELDS = (
    *("id", "code", "status", "level", "is_public", "description", "public_description", "public_answer"),
    *("address", "rejection_reason", "rejection_note", "lat", "lon", "created_at", "updated_at", "accepted_at"),
    *("accept_due_at", "answer_due_at", "answered_at", "closed_at", "channel", "category_id"),
    *("category__name", "category__code", "agency__name", "unit__name"),
)
_REJECTION_LABELS = dict(Report.RejectionReason.choices)


class CaseRow:
    """One case as request_item reads it (the same attribute names as Report), built from a row of values."""

    def __init__(self, row: dict):
        agency, unit = row.pop("agency__name"), row.pop("unit__name")
        category = SimpleNamespace(name=row.pop("category__name"), code=row.pop("category__code"))
        self.__dict__.update(row)
        self.category = category
        self.agency = SimpleNamespace(name=agency) if agency is not None else None
        self.unit = SimpleNamespace(name=unit) if unit is not None else None
        self.public_photos, self.public_steps = [], []

    @property
    def pk(self) -> int:
        return self.id

    @property
    def public_text(self) -> str:
        return mask_contacts(self.public_description or self.description)

    def get_rejection_reason_display(self) -> str:
        return str(_REJECTION_LABELS.get(self.rejection_reason, self.rejection_reason))


def _extensions(data) -> bool:
    return (_param(data, "extensions") or "").lower() == "true"


def _cases():
    return Report.objects.all()


def _rows(cases, *, extensions: bool = False) -> list[CaseRow]:
    """Return the cases of the (filtered, ordered, sliced) queryset `cases` as CaseRows, with their first public
    photo and, with `extensions`, their public steps: three queries (four), whatever the number of cases."""
    rows = list(cases.values(*ROW_FIELDS))
    if not rows:
        return []
    by_id = {row["id"]: CaseRow(row) for row in rows}
    # The photos and steps of exactly these cases: `cases` again as a subquery, not a list of 1,000 ids.
    ids = cases.values("pk")
    # Only a photo staff reviewed (with the answer, or approved earlier) and did not hide.
    photos = Attachment.objects.shown().filter(report__in=ids, kind=Attachment.Kind.PHOTO)
    for photo in photos.order_by("created_at", "id").only("id", "report_id", "file"):
        by_id[photo.report_id].public_photos.append(photo)
    if extensions:
        steps = Event.objects.filter(report__in=ids, is_public=True, kind__in=[*UPDATE_STATUS, Event.Kind.REJECTED])
        for event in steps.only("report_id", "kind", "text", "data", "at").order_by("at", "id"):
            by_id[event.report_id].public_steps.append(event)
    return list(by_id.values())


def _render_cases(request, fmt, cases, *, extensions: bool = False, rows: list | None = None) -> HttpResponse:
    rows = _rows(cases, extensions=extensions) if rows is None else rows
    notices = Notices() if rows else {}
    return render(fmt, "service_requests", [request_item(request, r, notices, extensions=extensions) for r in rows])


def search_requests(request, fmt, data):
    """Return cases by id, or by service_code, date window and status, newest first."""
    ext = _extensions(data)
    ids = _codes(_param(data, "service_request_id"))
    if ids:
        # service_request_id overrides every other argument (GeoReport v2).
        cases = _cases().filter(code__in=[i.upper() for i in ids]).order_by("-created_at", "-id")
        return _render_cases(request, fmt, cases, extensions=ext)
    start, end = _window(data)
    cases = _cases().filter(is_public=True, created_at__gte=start)
    if end is not None:
        cases = cases.filter(created_at__lte=end)
    codes = _codes(_param(data, "service_code"))
    if codes:
        cases = cases.filter(category__code__in=codes)
    wanted = set(_codes(_param(data, "status")))
    if wanted - {"open", "closed"}:
        raise Open311Error(400, _("status chỉ nhận open hoặc closed."))
    if wanted == {"open"}:
        cases = cases.filter(status__in=Report.OPEN_STATUSES)
    elif wanted == {"closed"}:
        cases = cases.exclude(status__in=Report.OPEN_STATUSES)
    page = _positive_int(data, "page", 1, 10**6)
    size = _positive_int(data, "page_size", MAX_ITEMS, MAX_ITEMS)
    offset = (page - 1) * size
    return _render_cases(request, fmt, cases.order_by("-created_at", "-id")[offset : offset + size], extensions=ext)


@endpoint("GET", "POST")
def requests(request, fmt, data, client):
    """GET: search cases; POST: create one (form-encoded, api_key required)."""
    if request.method == "POST":
        return create_request(request, fmt, data, client)
    return search_requests(request, fmt, data)


@endpoint("GET")
def request_detail(request, fmt, data, client, request_id: str):
    """Return one case, as a one-element list."""
    ext = _extensions(data)
    rows = _rows(_cases().filter(code=request_id.strip().upper()[:20]), extensions=ext)
    if not rows:
        raise Open311Error(404, _("Không có phản ánh %(id)s.") % {"id": request_id[:40]})
    return _render_cases(request, fmt, None, extensions=ext, rows=rows)


@endpoint("GET")
def token(request, fmt, data, client, token: str):
    """Every service is realtime: POST returns the service_request_id and no token is ever issued."""
    raise Open311Error(404, _("Không có token %(t)s: máy chủ trả service_request_id ngay khi gửi.") % {"t": token[:40]})


# --- FixMyStreet extension: servicerequestupdates -----------------------------------------------------------


def update_item(event: Event) -> dict:
    """Return one public step of a case as a FixMyStreet request_update."""
    status, text = _public_step(event)
    return {
        "update_id": str(event.pk),
        "service_request_id": event.report.code,
        "status": status,
        "updated_datetime": when(event.at),
        "description": text,
        "media_url": None,
        "external_status_code": event.to_status or None,
    }


def list_updates(request, fmt, data):
    start, end = _window(data)
    events = Event.objects.filter(
        is_public=True,
        kind__in=[*UPDATE_STATUS, Event.Kind.REJECTED],
        report__is_public=True,
        at__gte=start,
    ).select_related("report")
    if end is not None:
        events = events.filter(at__lte=end)
    page = _positive_int(data, "page", 1, 10**6)
    size = _positive_int(data, "page_size", MAX_ITEMS, MAX_ITEMS)
    offset = (page - 1) * size
    items = [update_item(e) for e in events.order_by("at", "id")[offset : offset + size]]
    return render(fmt, "service_requests_updates", items)


def post_update(request, fmt, data, client):
    """Record a citizen's comment relayed by a partner app; the same update_id twice is refused."""
    if client is None:
        raise Open311Error(403, _("Thiếu api_key: cần khóa API để gửi ý kiến."))
    request_id = _param(data, "service_request_id")
    update_id = _param(data, "update_id") or _param(data, "update_id_ext")
    if request_id is None or update_id is None:
        raise Open311Error(400, _("Thiếu service_request_id hoặc update_id."))
    if len(update_id) > 100:
        raise Open311Error(400, _("update_id dài quá 100 ký tự."))
    report = Report.objects.filter(code=request_id.upper()[:20]).first()
    if report is None:
        raise Open311Error(404, _("Không có phản ánh %(id)s.") % {"id": request_id[:40]})
    extra = {"media_url": _media_urls(data), "status": (_param(data, "status") or "")[:40]}
    updated = _param(data, "updated_datetime")
    if updated:
        extra["updated_datetime"] = _parse_when(updated, "updated_datetime").isoformat()
    event = actions.add_comment(
        report=report, text=_param(data, "description") or "", api_client=client, update_id=update_id, data=extra
    )
    return render(fmt, "service_request_updates", [{"update_id": str(event.pk)}])


@endpoint("GET", "POST")
def request_updates(request, fmt, data, client):
    """GET: public steps of cases in a date window; POST: a citizen's comment (api_key required)."""
    if request.method == "POST":
        return post_update(request, fmt, data, client)
    return list_updates(request, fmt, data)


__all__ = ["discovery", "request_detail", "request_updates", "requests", "service_definition", "services", "token"]
