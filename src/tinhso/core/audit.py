"""The append-only audit log: every write that matters, and every read of personal data."""

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from tinhso.core.middleware import current_request_context
from tinhso.core.models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Return the audited values of `obj`'s concrete fields (foreign keys as ids)."""
    names = fields or [f.name for f in obj._meta.concrete_fields]
    values = {}
    for name in names:
        field = obj._meta.get_field(name)
        values[name] = _plain(getattr(obj, field.attname))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [before, after]} for the fields whose value changed."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(
    *,
    actor=None,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, list[Any]] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    extra: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry; call it inside the action's transaction so both commit or neither."""
    context = current_request_context()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        # A machine client (core.api.ClientPrincipal) is named in the label but is not a user row.
        actor=actor if authenticated and isinstance(actor, models.Model) else None,
        actor_label=(str(actor) if authenticated else "")[:160] or "hệ thống",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        changes=_plain(changes or {}),
        ip=context.ip if context else None,
        request_id=context.request_id if context else "",
        extra=_plain(extra or {}),
    )


def record_personal_data_access(*, actor, obj: models.Model, fields: Iterable[str], purpose: str = "") -> AuditEntry:
    """Log that `actor` saw the unmasked personal data `fields` of `obj`."""
    return record(
        actor=actor,
        action="personal_data.view",
        obj=obj,
        extra={"fields": sorted(fields), "purpose": purpose},
    )
