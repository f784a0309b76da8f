"""Every write of the single sign-on provider: consent, refusal, authorisation, logout; each audited."""

from django.db import transaction
from django.utils import timezone

from tinhso.core import audit
from tinhso.core.models import AuditEntry
from tinhso.identity.sso.models import Consent


def _app_repr(application) -> str:
    return str(application.name or application.client_id)[:255]


def has_consent(*, user, application, scopes) -> bool:
    """Whether `user` need not be asked again: a trusted client, or a consent covering `scopes` not revoked since."""
    from tinhso.identity.sso.oidc import client_policy

    policy = client_policy(application)
    if application.skip_authorization or (policy is not None and policy.trusted):
        return True
    consent = Consent.objects.filter(user=user, application=application).first()
    if consent is None or not consent.covers(scopes):
        return False
    # The profile's "connected apps" page revokes tokens (identity.grants); a revocation after the consent voids it.
    revoked = AuditEntry.objects.filter(
        object_type="oauth2_provider.application",
        object_id=str(application.pk),
        action__in=("auth.grant_revoke", "sso.consent_revoked"),
        actor=user,
        at__gte=consent.granted_at,
    )
    return not revoked.exists()


@transaction.atomic
def record_consent(*, user, application, scopes) -> Consent:
    """Store that `user` agreed to share `scopes` with `application` (Decree 13/2023 Art. 11: consent per purpose)."""
    scopes = sorted(set(scopes))
    consent, _created = Consent.objects.update_or_create(
        user=user, application=application, defaults={"scopes": " ".join(scopes), "granted_at": timezone.now()}
    )
    audit.record(
        actor=user, action="sso.consent", obj=application, object_repr=_app_repr(application), extra={"scopes": scopes}
    )
    return consent


@transaction.atomic
def refuse_consent(*, user, application, scopes) -> None:
    audit.record(
        actor=user,
        action="sso.consent_refused",
        obj=application,
        object_repr=_app_repr(application),
        extra={"scopes": sorted(set(scopes))},
    )


@transaction.atomic
def revoke_consent(*, user, application) -> int:
    """Withdraw the consent and revoke every token and pending code `user` gave `application`; return the count."""
    from oauth2_provider.models import AccessToken, Grant, RefreshToken

    count = Consent.objects.filter(user=user, application=application).delete()[0]
    for refresh in RefreshToken.objects.filter(user=user, application=application, revoked__isnull=True):
        refresh.revoke()
        count += 1
    for access in AccessToken.objects.filter(user=user, application=application):
        access.revoke()
        count += 1
    count += Grant.objects.filter(user=user, application=application).delete()[0]
    audit.record(
        actor=user,
        action="sso.consent_revoked",
        obj=application,
        object_repr=_app_repr(application),
        extra={"n": count},
    )
    return count


def record_authorization(*, user, application, scopes, context: dict) -> None:
    """Audit a code issued to `application` for `user` (called after the code is stored)."""
    audit.record(
        actor=user,
        action="sso.authorize",
        obj=application,
        object_repr=_app_repr(application),
        extra={"scopes": sorted(set(scopes)), "acr": context.get("acr"), "amr": context.get("amr")},
    )


def record_logout(*, user, application=None) -> None:
    audit.record(
        actor=user,
        action="sso.logout",
        obj=application,
        object_type="" if application else "core.user",
        object_repr=_app_repr(application) if application else str(user),
    )
