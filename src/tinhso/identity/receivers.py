"""Audit entries for allauth's second-factor and re-authentication events (connected in IdentityConfig.ready).

allauth reports these only through its signals; the receivers write the audit trail and the session's `amr`,
nothing else (domain writes go through actions.py).
"""

from allauth.account.signals import authentication_step_completed
from allauth.mfa import signals as mfa_signals
from allauth.usersessions.signals import session_client_changed

from tinhso.core import audit
from tinhso.identity import levels

_AMR = {"totp": "otp", "webauthn": "hwk", "recovery_codes": "mfa"}


def _record(action: str, request, user, authenticator=None, **extra) -> None:
    if authenticator is not None:
        extra["type"] = authenticator.type
    audit.record(actor=user, action=action, obj=user, object_repr=str(user), extra=extra)


def on_added(sender, request, user, authenticator, **kwargs):
    _record("auth.mfa_added", request, user, authenticator)


def on_removed(sender, request, user, authenticator, **kwargs):
    _record("auth.mfa_removed", request, user, authenticator)


def on_reset(sender, request, user, authenticator, **kwargs):
    _record("auth.mfa_reset", request, user, authenticator)


def on_used(sender, request, user, authenticator, reauthenticated=False, passwordless=False, **kwargs):
    _record("auth.mfa_used", request, user, authenticator, reauthenticated=bool(reauthenticated))
    if reauthenticated and request is not None and request.user.is_authenticated:
        levels.record_authentication(request, _AMR.get(authenticator.type, "mfa"))
        levels.record_authentication(request, "mfa")


def on_failed(sender, request, user, authenticator, reauthentication=False, **kwargs):
    _record("auth.mfa_failed", request, user, authenticator, reauthentication=bool(reauthentication))


def on_step(sender, request, user, method, **kwargs):
    # The first sign-in's steps are recorded by AccountAdapter.login; here only re-authentication (step-up).
    if kwargs.get("reauthenticated") and method == "password" and request.user.is_authenticated:
        levels.record_authentication(request, "pwd")
        _record("auth.reauthenticated", request, user, method="pwd")


def on_session_client_changed(sender, request, from_session, to_session, **kwargs):
    audit.record(
        actor=getattr(request, "user", None),
        action="auth.session_client_changed",
        object_type="usersessions.usersession",
        object_id=str(to_session.pk),
    )


def connect() -> None:
    mfa_signals.authenticator_added.connect(on_added, dispatch_uid="identity_mfa_added")
    mfa_signals.authenticator_removed.connect(on_removed, dispatch_uid="identity_mfa_removed")
    mfa_signals.authenticator_reset.connect(on_reset, dispatch_uid="identity_mfa_reset")
    mfa_signals.authenticator_used.connect(on_used, dispatch_uid="identity_mfa_used")
    mfa_signals.authentication_failed.connect(on_failed, dispatch_uid="identity_mfa_failed")
    authentication_step_completed.connect(on_step, dispatch_uid="identity_auth_step")
    session_client_changed.connect(on_session_client_changed, dispatch_uid="identity_session_client")
