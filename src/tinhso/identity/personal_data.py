"""The "my data" export (Decree 13/2023/NĐ-CP Art. 9: the data subject's right to access their data).

Each module may add its own section with `register_exporter(key, function)`; a function takes the user and returns
JSON-serialisable data about them only.
"""

from collections.abc import Callable
from typing import Any

EXPORTERS: dict[str, Callable[[Any], Any]] = {}


def register_exporter(key: str, function: Callable[[Any], Any]) -> None:
    EXPORTERS[key] = function


def export(user) -> dict[str, Any]:
    from tinhso.identity.actions import profile_of
    from tinhso.identity.grants import connected_apps

    profile = profile_of(user)
    data: dict[str, Any] = {
        "account": {
            "phone": user.phone,
            "email": user.email,
            "full_name": user.full_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "identity": {
            "assurance_level": profile.assurance_level,
            "level_source": profile.level_source,
            "level_set_at": profile.level_set_at.isoformat() if profile.level_set_at else None,
            "birth_date": profile.birth_date.isoformat() if profile.birth_date else None,
            "sex": profile.sex,
            "id_number": profile.id_number,
            "vneid_linked": bool(profile.vneid_subject),
        },
        "organisations": [
            {"name": m.organisation.name, "tax_code": m.organisation.tax_code, "role": m.role}
            for m in user.organisations.select_related("organisation")
        ],
        "memberships": [
            {"agency": m.agency.name, "role": m.role, "title": m.title}
            for m in user.memberships.select_related("agency")
        ],
        "sessions": _sessions(user),
        "second_factors": _authenticators(user),
        "connected_apps": [{"name": a.name, "scopes": a.scopes} for a in connected_apps(user)],
        "deletion_requests": [
            {"created_at": r.created_at.isoformat(), "status": r.status} for r in user.deletion_requests.all()
        ],
    }
    for key, function in EXPORTERS.items():
        data[key] = function(user)
    return data


def _sessions(user) -> list[dict]:
    from allauth.usersessions.models import UserSession

    return [
        {"ip": s.ip, "user_agent": s.user_agent, "created_at": s.created_at.isoformat()}
        for s in UserSession.objects.filter(user=user)
    ]


def _authenticators(user) -> list[dict]:
    from allauth.mfa.models import Authenticator

    # Types and dates only: never the secrets.
    return [{"type": a.type, "created_at": a.created_at.isoformat()} for a in Authenticator.objects.filter(user=user)]
