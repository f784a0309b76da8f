"""Every write to identity data goes through one of these functions: it checks, writes and records the audit entry
in one transaction. The VNeID broker (identity/sso) calls `link_vneid` and `set_assurance_level`."""

import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core import audit, permissions
from tinhso.core.models import Membership, Role
from tinhso.core.notify import notify
from tinhso.core.phone import mask_phone, normalize_phone
from tinhso.identity import crypto
from tinhso.identity.idnumber import validate_id_number
from tinhso.identity.models import (
    DeletionRequest,
    Level,
    LevelSource,
    Organisation,
    OrganisationMember,
    PhoneChallenge,
    Profile,
)
from tinhso.identity.taxcode import normalize_tax_code

#: Who may verify a citizen in person at a one-stop shop (bộ phận một cửa), having checked the ID card.
VERIFIER_ROLES = frozenset({Role.CLERK, Role.COMMUNE_OFFICIAL, Role.ADMIN})
CODE_LIFETIME = dt.timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5


def profile_of(user) -> Profile:
    """Return the user's identity profile, creating the level-0 row on first need."""
    try:
        return user.identity
    except Profile.DoesNotExist:
        profile, _created = Profile.objects.get_or_create(user=user)
        user.identity = profile
        return profile


def _locked_profile(user) -> Profile:
    profile_of(user)
    profile = Profile.objects.select_for_update().get(user=user)
    user.identity = profile
    return profile


@transaction.atomic
def set_assurance_level(*, user, level: int, source: str, by=None) -> Profile:
    """Store the account's proven level (0, 1, 2) with its source and time, and audit the change."""
    level = Level(int(level)).value
    source = LevelSource(source).value
    profile = _locked_profile(user)
    before = profile.assurance_level
    profile.assurance_level = level
    profile.level_source = source
    profile.level_set_at = timezone.now()
    profile.level_set_by = by if by is not None and getattr(by, "is_authenticated", False) else None
    profile.save(update_fields=["assurance_level", "level_source", "level_set_at", "level_set_by", "updated_at"])
    audit.record(
        actor=by or user,
        action="identity.level",
        obj=user,
        object_repr=str(user),
        changes={"assurance_level": [before, level]} if before != level else {},
        extra={"source": source},
    )
    return profile


def _store_id_number(profile: Profile, id_number: str, *, birth_date=None, sex: str = "") -> None:
    decoded = validate_id_number(id_number, birth_date=birth_date, sex=sex or None)
    digest = crypto.lookup_digest(decoded.number)
    if Profile.objects.filter(id_number_digest=digest).exclude(pk=profile.pk).exists():
        raise ValidationError(_("Số định danh này đã gắn với một tài khoản khác."), code="id_taken")
    profile.id_number_encrypted = crypto.encrypt(decoded.number)
    profile.id_number_digest = digest


@transaction.atomic
def link_vneid(
    *, user, subject: str, id_number: str, full_name: str, birth_date: dt.date | None, level: int
) -> Profile:
    """Link the account to a VNeID identity whose attributes VNeID verified, and raise the level to `level`.

    Never links on a match of name or ID number alone: the caller has authenticated this user in this session.
    """
    if not subject:
        raise ValidationError(_("VNeID không trả về mã định danh (sub)."), code="vneid_subject")
    if Profile.objects.filter(vneid_subject=subject).exclude(user=user).exists():
        raise ValidationError(_("Tài khoản VNeID này đã liên kết với một tài khoản khác."), code="vneid_taken")
    profile = _locked_profile(user)
    if id_number:
        # The ID number came from VNeID; the structure check still applies but the declared birth date is theirs.
        _store_id_number(profile, id_number, birth_date=birth_date)
    profile.vneid_subject = subject
    profile.vneid_linked_at = timezone.now()
    if birth_date:
        profile.birth_date = birth_date
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as error:
        message = _("Số định danh hoặc tài khoản VNeID đã gắn với tài khoản khác.")
        raise ValidationError(message, code="taken") from error
    if full_name and full_name != user.full_name:
        user.full_name = full_name[:150]
        user.save(update_fields=["full_name"])
    audit.record(actor=user, action="identity.vneid_link", obj=user, object_repr=str(user), extra={"level": level})
    return set_assurance_level(user=user, level=level, source=LevelSource.VNEID)


@transaction.atomic
def set_personal_details(*, user, birth_date: dt.date, sex: str, id_number: str = "", by=None) -> Profile:
    """Store the declared birth date, sex and (optionally) ID number, checked against each other."""
    profile = _locked_profile(user)
    if profile.assurance_level > Level.SELF_REGISTERED and by is None:
        raise PermissionDenied(_("Thông tin đã được xác minh; chỉ cán bộ một cửa mới sửa được."))
    if id_number:
        _store_id_number(profile, id_number, birth_date=birth_date, sex=sex)
    profile.birth_date = birth_date
    profile.sex = sex
    profile.save()
    audit.record(
        actor=by or user,
        action="identity.details",
        obj=user,
        object_repr=str(user),
        extra={"id_number": bool(id_number)},  # never the number itself
    )
    return profile


@transaction.atomic
def verify_in_person(*, clerk, user, id_number: str, birth_date: dt.date, sex: str) -> Profile:
    """Raise a citizen to level 1 after a one-stop-shop clerk checked their ID card (Decree 69/2024 Art. 10)."""
    if not permissions.roles(clerk) & VERIFIER_ROLES:
        raise PermissionDenied(_("Chỉ cán bộ bộ phận một cửa được xác minh trực tiếp."))
    if clerk.pk == user.pk:
        raise PermissionDenied(_("Không được tự xác minh tài khoản của mình."))
    profile = _locked_profile(user)
    _store_id_number(profile, id_number, birth_date=birth_date, sex=sex)
    profile.birth_date, profile.sex = birth_date, sex
    profile.save()
    if profile.assurance_level >= Level.VERIFIED:
        return profile
    return set_assurance_level(user=user, level=Level.VERIFIED, source=LevelSource.CLERK, by=clerk)


# --- Accounts -------------------------------------------------------------------


@transaction.atomic
def register_citizen(*, phone: str, full_name: str, password_hash: str, email: str = ""):
    """Create a level-0 citizen account whose phone number was just proven by a one-time code."""
    User = get_user_model()
    user = User(phone=normalize_phone(phone), full_name=full_name.strip()[:150], email=email.strip().lower())
    user.password = password_hash
    user.save()
    Profile.objects.create(user=user)
    audit.record(actor=user, action="identity.register", obj=user, object_repr=str(user))
    return user


@transaction.atomic
def reset_password(*, phone: str, password: str) -> None:
    """Set a new password after the phone's owner proved it with a code, and end every session of the account."""
    from allauth.usersessions.models import UserSession

    user = get_user_model().objects.select_for_update().get(phone=normalize_phone(phone))
    user.set_password(password)
    user.save(update_fields=["password"])
    for session in UserSession.objects.filter(user=user):
        session.end()
    audit.record(actor=user, action="auth.password_reset", obj=user, object_repr=str(user))
    # Tell the owner (ASVS 6.3.6): someone who took over the phone number should not reset silently.
    notify(
        channel="sms",
        recipient=user.phone,
        template="generic",
        context={
            "title": _("Tỉnh số"),
            "message": _("Mật khẩu tài khoản của bạn vừa được đặt lại. Nếu không phải bạn, hãy gọi 1022."),
        },
        obj=user,
    )


@transaction.atomic
def create_official(
    *, admin, phone: str, full_name: str, email: str = "", agency=None, role: str = "", title: str = ""
):
    """Create an official's account (no password yet: set through the reset-by-code flow); a second factor is
    required before any page opens (middleware.RequireOfficialMfa)."""
    if not (getattr(admin, "is_superuser", False) or Role.ADMIN in permissions.roles(admin)):
        raise PermissionDenied(_("Chỉ quản trị viên được tạo tài khoản cán bộ."))
    User = get_user_model()
    phone = normalize_phone(phone)
    if User.objects.filter(phone=phone).exists():
        raise ValidationError(_("Số điện thoại này đã có tài khoản."), code="phone_taken")
    user = User.objects.create_user(phone, None, full_name=full_name, email=email)
    Profile.objects.create(user=user, requires_mfa=True)
    if agency is not None and role:
        Membership.objects.create(user=user, agency=agency, role=Role(role), title=title)
    audit.record(
        actor=admin,
        action="identity.official_create",
        obj=user,
        object_repr=str(user),
        extra={"agency": agency.pk if agency else None, "role": role},
    )
    return user


@transaction.atomic
def create_organisation(*, owner, name: str, tax_code: str, address: str = "") -> Organisation:
    """Register a business with its validated tax code; the registering user becomes its representative."""
    code = normalize_tax_code(tax_code)
    if Organisation.objects.filter(tax_code=code).exists():
        raise ValidationError(_("Mã số thuế này đã được đăng ký."), code="tax_taken")
    organisation = Organisation.objects.create(name=name.strip(), tax_code=code, address=address.strip())
    OrganisationMember.objects.create(organisation=organisation, user=owner, role=OrganisationMember.Role.OWNER)
    audit.record(actor=owner, action="identity.org_create", obj=organisation)
    return organisation


@transaction.atomic
def add_organisation_member(*, by, organisation: Organisation, phone: str) -> OrganisationMember:
    """Add an existing account to the organisation; only its representative may."""
    if not organisation.memberships.filter(user=by, role=OrganisationMember.Role.OWNER).exists():
        raise PermissionDenied(_("Chỉ người đại diện được thêm thành viên."))
    User = get_user_model()
    user = User.objects.filter(phone=normalize_phone(phone), is_active=True).first()
    if user is None:
        raise ValidationError(_("Không tìm thấy tài khoản có số điện thoại này."), code="no_account")
    member, created = OrganisationMember.objects.get_or_create(organisation=organisation, user=user)
    if created:
        audit.record(actor=by, action="identity.org_member_add", obj=organisation, extra={"user": user.pk})
    return member


@transaction.atomic
def request_deletion(*, user, reason: str = "") -> DeletionRequest:
    """Record the data subject's request to delete their personal data (Decree 13/2023 Art. 9(5), 16)."""
    pending = DeletionRequest.objects.filter(user=user, status=DeletionRequest.Status.PENDING).first()
    if pending is not None:
        return pending
    request = DeletionRequest.objects.create(user=user, user_label=str(user)[:160], reason=reason.strip()[:2000])
    audit.record(actor=user, action="identity.deletion_request", obj=request)
    return request


# --- One-time codes by SMS ----------------------------------------------------------


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


@transaction.atomic
def start_phone_challenge(*, phone: str, purpose: str, usable: bool) -> tuple[PhoneChallenge, str]:
    """Create a challenge and return it with the clear code to send; an unusable one never succeeds."""
    code = _new_code()
    challenge = PhoneChallenge.objects.create(
        phone=normalize_phone(phone),
        purpose=purpose,
        code_hash=make_password(code),
        usable=usable,
        expires_at=timezone.now() + CODE_LIFETIME,
    )
    audit.record(
        action="identity.code_sent",
        object_type="identity.phonechallenge",
        object_id=str(challenge.pk),
        object_repr=mask_phone(challenge.phone),
        extra={"purpose": purpose},
    )
    return challenge, code


@transaction.atomic
def check_phone_code(*, challenge_id: int, code: str) -> PhoneChallenge | None:
    """Return the challenge if `code` opens it (then it is used up); count the attempt otherwise."""
    challenge = PhoneChallenge.objects.select_for_update().filter(pk=challenge_id).first()
    if challenge is None or challenge.used_at is not None or challenge.expires_at < timezone.now():
        return None
    if challenge.attempts >= CODE_MAX_ATTEMPTS:
        return None
    ok = challenge.usable and check_password((code or "").strip(), challenge.code_hash)
    if ok:
        challenge.used_at = timezone.now()
    else:
        challenge.attempts += 1
    challenge.save(update_fields=["attempts", "used_at"])
    return challenge if ok else None
