"""Connected apps: the OpenID Connect clients a user authorised, read from django-oauth-toolkit when installed.

The SSO app (identity/sso) owns the provider; this module only reads its public models through
`oauth2_provider.models` and revokes a user's tokens for one app. Without the toolkit the list is empty.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import transaction

from tinhso.core import audit


@dataclass(frozen=True)
class ConnectedApp:
    id: int
    name: str
    scopes: list[str]
    last_used: object


def is_available() -> bool:
    return apps.is_installed("oauth2_provider")


def connected_apps(user) -> list[ConnectedApp]:
    """Return the apps holding a live token for `user`, with the scopes granted."""
    if not is_available():
        return []
    from oauth2_provider.models import get_access_token_model, get_refresh_token_model

    found: dict[int, dict] = {}
    for token in get_access_token_model().objects.filter(user=user).select_related("application"):
        app = found.setdefault(token.application_id, {"app": token.application, "scopes": set(), "last": None})
        app["scopes"].update((token.scope or "").split())
        app["last"] = max(filter(None, [app["last"], token.created]), default=None)
    for token in (
        get_refresh_token_model().objects.filter(user=user, revoked__isnull=True).select_related("application")
    ):
        found.setdefault(token.application_id, {"app": token.application, "scopes": set(), "last": token.created})
    return [
        ConnectedApp(id=pk, name=row["app"].name, scopes=sorted(row["scopes"]), last_used=row["last"])
        for pk, row in sorted(found.items(), key=lambda item: item[1]["app"].name)
    ]


@transaction.atomic
def revoke_app(*, user, application_id: int) -> int:
    """Revoke every token and pending code `user` granted to one app; return how many were revoked."""
    if not is_available():
        return 0
    from oauth2_provider.models import get_access_token_model, get_grant_model, get_refresh_token_model

    count = 0
    for refresh in get_refresh_token_model().objects.filter(
        user=user, application_id=application_id, revoked__isnull=True
    ):
        refresh.revoke()
        count += 1
    for access in get_access_token_model().objects.filter(user=user, application_id=application_id):
        access.revoke()
        count += 1
    count += get_grant_model().objects.filter(user=user, application_id=application_id).delete()[0]
    audit.record(
        actor=user,
        action="auth.grant_revoke",
        object_type="oauth2_provider.application",
        object_id=str(application_id),
        extra={"tokens": count},
    )
    return count
