"""Account pages: registration and password reset by SMS code, the profile and its privacy tools."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Q
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tinhso.core import audit, permissions
from tinhso.core.channels import Message, SendError, get_channel
from tinhso.core.middleware import client_ip
from tinhso.core.models import AuditEntry, Role
from tinhso.identity import actions, grants, levels, personal_data, throttle
from tinhso.identity.forms import (
    AuditSearchForm,
    CodeForm,
    DeletionForm,
    FindAccountForm,
    InPersonVerificationForm,
    MemberForm,
    OfficialForm,
    OrganisationForm,
    PersonalDetailsForm,
    RegistrationForm,
    ResetFinishForm,
    ResetStartForm,
)
from tinhso.identity.models import OrganisationMember, PhoneChallenge

PENDING_REGISTRATION = "identity_registration"
PENDING_RESET = "identity_reset"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _send_sms(phone: str, body: str) -> bool:
    try:
        get_channel("sms").send(Message(recipient=phone, body=body, template="identity_code"))
    except SendError:
        return False
    return True


def _may_send(request, phone: str) -> bool:
    ip = client_ip(request) or "-"
    return throttle.hit("code_send_ip", ip) and throttle.hit("code_send_phone", phone)


def _code_blocked(request, phone: str) -> bool:
    ip = client_ip(request) or "-"
    return throttle.is_blocked("code_check_phone", phone) or throttle.is_blocked("code_check_ip", ip)


def _count_wrong_code(request, phone: str) -> None:
    throttle.hit("code_check_phone", phone)
    throttle.hit("code_check_ip", client_ip(request) or "-")


def _code_accepted(request, form, pending: dict) -> bool:
    """Check the typed SMS code against the pending challenge, counting wrong tries per phone and per IP address;
    on refusal the form carries the reason."""
    phone = pending["phone"]
    if _code_blocked(request, phone):
        form.add_error("code", TOO_MANY_WRONG)
        return False
    if actions.check_phone_code(challenge_id=pending["challenge"], code=form.cleaned_data["code"]) is None:
        _count_wrong_code(request, phone)
        form.add_error("code", WRONG_CODE)
        return False
    return True


TOO_MANY_SENT = gettext_lazy("Bạn đã yêu cầu quá nhiều mã trong thời gian ngắn. Vui lòng thử lại sau ít phút.")
TOO_MANY_WRONG = gettext_lazy("Nhập sai mã quá nhiều lần. Vui lòng thử lại sau ít phút.")
WRONG_CODE = gettext_lazy("Mã xác minh không đúng hoặc đã hết hạn.")


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("identity:profile")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not _may_send(request, data["phone"]):
            form.add_error(None, TOO_MANY_SENT)
        else:
            # Same screen whether or not the number has an account (no enumeration); an existing owner is told by
            # SMS, and no code can complete the registration.
            exists = get_user_model().objects.filter(phone=data["phone"]).exists()
            challenge, code = actions.start_phone_challenge(
                phone=data["phone"], purpose=PhoneChallenge.Purpose.REGISTER, usable=not exists
            )
            if exists:
                body = _("Tỉnh số: số điện thoại này đã có tài khoản. Nếu quên mật khẩu, hãy chọn «Quên mật khẩu».")
            else:
                body = _("Mã xác minh đăng ký Tỉnh số: %(code)s (hiệu lực 10 phút). Không chia sẻ mã này.") % {
                    "code": code
                }
            if not _send_sms(data["phone"], body):
                form.add_error(None, _("Chưa gửi được tin nhắn. Vui lòng thử lại sau."))
            else:
                request.session[PENDING_REGISTRATION] = {
                    "challenge": challenge.pk,
                    "phone": data["phone"],
                    "full_name": data["full_name"],
                    "email": data["email"],
                    "password": make_password(data["password1"]),
                }
                return redirect("identity:register_confirm")
    return render(request, "identity/register.html", {"form": form})


@require_http_methods(["GET", "POST"])
def register_confirm(request):
    pending = request.session.get(PENDING_REGISTRATION)
    if not pending:
        return redirect("identity:register")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _code_accepted(request, form, pending):
        try:
            user = actions.register_citizen(
                phone=pending["phone"],
                full_name=pending["full_name"],
                password_hash=pending["password"],
                email=pending["email"],
            )
        except (IntegrityError, ValidationError):
            form.add_error(None, _("Không tạo được tài khoản với số điện thoại này."))
        else:
            del request.session[PENDING_REGISTRATION]
            login(request, user, backend=BACKEND)
            levels.record_authentication(request, "otp")
            audit.record(actor=user, action="auth.login", obj=user, object_repr=str(user), extra={"amr": ["otp"]})
            messages.success(request, _("Đã tạo tài khoản. Chào mừng bạn đến với Tỉnh số."))
            return redirect("identity:profile")
    context = {"form": form, "phone": pending["phone"]}
    return render(request, "identity/register_confirm.html", context)


@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = ResetStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        if not _may_send(request, phone):
            form.add_error(None, TOO_MANY_SENT)
        else:
            user = get_user_model().objects.filter(phone=phone, is_active=True).first()
            challenge, code = actions.start_phone_challenge(
                phone=phone, purpose=PhoneChallenge.Purpose.RESET, usable=user is not None
            )
            if user is not None:
                body = _("Mã đặt lại mật khẩu Tỉnh số: %(code)s (hiệu lực 10 phút). Không chia sẻ mã này.") % {
                    "code": code
                }
                _send_sms(phone, body)
            # Unknown numbers get the same next screen and nothing is sent: no hint whether an account exists.
            request.session[PENDING_RESET] = {"challenge": challenge.pk, "phone": phone}
            return redirect("identity:password_reset_confirm")
    return render(request, "identity/password_reset.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request):
    pending = request.session.get(PENDING_RESET)
    if not pending:
        return redirect("identity:password_reset")
    form = ResetFinishForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _code_accepted(request, form, pending):
        actions.reset_password(phone=pending["phone"], password=form.cleaned_data["password1"])
        del request.session[PENDING_RESET]
        messages.success(request, _("Đã đặt mật khẩu mới. Mời bạn đăng nhập."))
        return redirect("login")
    return render(request, "identity/password_reset_confirm.html", {"form": form, "phone": pending["phone"]})


@login_required
def profile(request):
    user = request.user
    profile = actions.profile_of(user)
    context = {
        "profile": profile,
        "level": levels.user_level(user),
        "session_level": levels.session_level(request),
        "organisations": user.organisations.select_related("organisation"),
    }
    return render(request, "identity/profile.html", context)


# --- Raising the level -----------------------------------------------------------------------


def _vneid_url() -> str | None:
    # The VNeID login lives in identity/sso; link to it only once it exists.
    from django.urls import NoReverseMatch, reverse

    for name in ("sso:vneid_login", "sso:vneid"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def raise_level(request):
    try:
        needed = max(0, min(2, int(request.GET.get("can", 1))))
    except ValueError:
        needed = 1
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    vneid = _vneid_url()
    if vneid and next_url:
        vneid = f"{vneid}?{urlencode({'next': next_url})}"
    context = {
        "needed": needed,
        "level": levels.user_level(request.user),
        "next_url": next_url,
        "vneid_url": vneid,
    }
    return render(request, "identity/raise_level.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def details(request):
    profile = actions.profile_of(request.user)
    initial = {"birth_date": profile.birth_date, "sex": profile.sex}
    form = PersonalDetailsForm(request.POST or None, initial=initial)
    if profile.assurance_level > 0:
        messages.info(request, _("Thông tin đã được xác minh; muốn sửa, hãy đến bộ phận một cửa."))
        return redirect("identity:profile")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.set_personal_details(
                user=request.user, birth_date=data["birth_date"], sex=data["sex"], id_number=data["id_number"]
            )
        except ValidationError as error:
            form.add_error("id_number", error)
        else:
            messages.success(request, _("Đã lưu thông tin cá nhân."))
            return redirect("identity:profile")
    return render(request, "identity/details.html", {"form": form})


# --- Organisations ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = actions.create_organisation(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("tax_code", error)
        else:
            messages.success(request, _("Đã đăng ký tổ chức."))
            return redirect("identity:organisation", organisation.pk)
    return render(request, "identity/organisation_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organisation(request, pk: int):
    membership = get_object_or_404(
        OrganisationMember.objects.select_related("organisation"), organisation_id=pk, user=request.user
    )
    organisation = membership.organisation
    is_owner = membership.role == OrganisationMember.Role.OWNER
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.add_organisation_member(by=request.user, organisation=organisation, **form.cleaned_data)
            except ValidationError as error:
                form.add_error("phone", error)
            else:
                messages.success(request, _("Đã thêm thành viên."))
                return redirect("identity:organisation", pk)
    members = organisation.memberships.select_related("user").order_by("role", "added_at")
    context = {"organisation": organisation, "members": members, "is_owner": is_owner, "form": form}
    return render(request, "identity/organisation.html", context)


# --- Privacy: connected apps, my data, deletion ------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def connected_apps(request):
    if request.method == "POST":
        try:
            application_id = int(request.POST.get("application", ""))
        except ValueError:
            return HttpResponseBadRequest()
        grants.revoke_app(user=request.user, application_id=application_id)
        messages.success(request, _("Đã thu hồi quyền truy cập của ứng dụng."))
        return redirect("identity:connected_apps")
    context = {"apps": grants.connected_apps(request.user), "available": grants.is_available()}
    return render(request, "identity/connected_apps.html", context)


@login_required
def my_data(request):
    data = personal_data.export(request.user)
    audit.record(actor=request.user, action="identity.data_export", obj=request.user, object_repr=str(request.user))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="du-lieu-cua-toi.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def deletion(request):
    form = DeletionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.request_deletion(user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Đã ghi nhận yêu cầu xóa dữ liệu. Chúng tôi sẽ trả lời trong 72 giờ."))
        return redirect("identity:deletion")
    requests = request.user.deletion_requests.all()
    return render(request, "identity/deletion.html", {"form": form, "requests": requests})


# --- Staff: in-person verification, officials, the audit of sign-ins ---------------------------


def _require_roles(request, allowed) -> None:
    if not (permissions.roles(request.user) & allowed):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def verify_in_person(request):
    _require_roles(request, actions.VERIFIER_ROLES)
    find = FindAccountForm(request.GET or None)
    person, form = None, None
    if find.is_bound and find.is_valid():
        person = get_user_model().objects.filter(phone=find.cleaned_data["phone"], is_active=True).first()
        if person is not None:
            audit.record_personal_data_access(
                actor=request.user, obj=person, fields=["phone", "full_name"], purpose="xác minh trực tiếp"
            )
            form = InPersonVerificationForm(request.POST or None)
            if request.method == "POST" and form.is_valid():
                data = form.cleaned_data
                try:
                    actions.verify_in_person(
                        clerk=request.user,
                        user=person,
                        id_number=data["id_number"],
                        birth_date=data["birth_date"],
                        sex=data["sex"],
                    )
                except ValidationError as error:
                    form.add_error("id_number", error)
                else:
                    messages.success(request, _("Đã xác minh tài khoản ở mức 1."))
                    return redirect(f"{request.path}?{urlencode({'phone': person.phone})}")
    context = {
        "find": find,
        "person": person,
        "form": form,
        "person_profile": actions.profile_of(person) if person else None,
    }
    return render(request, "identity/verify.html", context)


ADMIN_ROLES = frozenset({Role.ADMIN})

AUTH_ACTIONS = [
    ("auth.login", gettext_lazy("Đăng nhập")),
    ("auth.login_failed", gettext_lazy("Đăng nhập thất bại")),
    ("auth.logout", gettext_lazy("Đăng xuất")),
    ("auth.password_reset", gettext_lazy("Đặt lại mật khẩu")),
    ("auth.reauthenticated", gettext_lazy("Xác thực lại")),
    ("auth.mfa_added", gettext_lazy("Bật yếu tố xác thực thứ hai")),
    ("auth.mfa_removed", gettext_lazy("Gỡ yếu tố xác thực thứ hai")),
    ("auth.mfa_reset", gettext_lazy("Tạo lại mã khôi phục")),
    ("auth.mfa_used", gettext_lazy("Dùng yếu tố thứ hai")),
    ("auth.mfa_failed", gettext_lazy("Sai yếu tố thứ hai")),
    ("auth.grant_revoke", gettext_lazy("Thu hồi quyền của ứng dụng")),
    ("auth.session_end", gettext_lazy("Quản trị viên kết thúc phiên")),
    ("auth.vneid_failed", gettext_lazy("Đăng nhập VNeID thất bại")),
    ("sso.consent", gettext_lazy("Đồng ý chia sẻ với ứng dụng")),
    ("sso.consent_refused", gettext_lazy("Từ chối chia sẻ với ứng dụng")),
    ("sso.consent_revoked", gettext_lazy("Rút lại đồng ý với ứng dụng")),
    ("sso.authorize", gettext_lazy("Cấp mã đăng nhập cho ứng dụng")),
    ("sso.token_issued", gettext_lazy("Cấp token")),
    ("sso.token_revoked", gettext_lazy("Thu hồi token")),
    ("sso.code_refused", gettext_lazy("Từ chối mã dùng lại")),
    ("sso.logout", gettext_lazy("Đăng xuất khỏi ứng dụng")),
    ("identity.register", gettext_lazy("Đăng ký tài khoản")),
    ("identity.code_sent", gettext_lazy("Gửi mã xác minh")),
    ("identity.level", gettext_lazy("Thay đổi mức định danh")),
    ("identity.vneid_link", gettext_lazy("Liên kết VNeID")),
    ("identity.official_create", gettext_lazy("Tạo tài khoản cán bộ")),
    ("identity.data_export", gettext_lazy("Tải dữ liệu cá nhân")),
    ("identity.deletion_request", gettext_lazy("Yêu cầu xóa dữ liệu")),
]


@login_required
def audit_log(request):
    _require_roles(request, ADMIN_ROLES)
    form = AuditSearchForm(request.GET or None, actions=AUTH_ACTIONS)
    entries = AuditEntry.objects.filter(
        Q(action__startswith="auth.") | Q(action__startswith="identity.") | Q(action__startswith="sso.")
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["q"]:
            q = data["q"].strip()
            entries = entries.filter(
                Q(actor_label__icontains=q) | Q(object_repr__icontains=q) | Q(actor__phone=q) | Q(object_id=q)
            )
        if data["ip"]:
            entries = entries.filter(ip=data["ip"])
        if data["since"]:
            entries = entries.filter(at__date__gte=data["since"])
        if data["until"]:
            entries = entries.filter(at__date__lte=data["until"])
    page = Paginator(entries.order_by("-at", "-id"), 50).get_page(request.GET.get("trang"))
    labels = dict(AUTH_ACTIONS)
    for entry in page:
        entry.label = labels.get(entry.action, entry.action)
    return render(request, "identity/audit_log.html", {"form": form, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def official_create(request):
    _require_roles(request, ADMIN_ROLES)
    form = OfficialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            official = actions.create_official(
                admin=request.user,
                phone=data["phone"],
                full_name=data["full_name"],
                email=data["email"],
                agency=data["agency"],
                role=data["role"],
                title=data["title"],
            )
        except ValidationError as error:
            form.add_error("phone", error)
        else:
            messages.success(
                request,
                _(
                    "Đã tạo tài khoản cho %(name)s. Cán bộ đặt mật khẩu bằng chức năng «Quên mật khẩu», "
                    "rồi bắt buộc bật xác thực hai lớp."
                )
                % {"name": official.full_name},
            )
            return redirect("identity:official_create")
    return render(request, "identity/official_form.html", {"form": form})
