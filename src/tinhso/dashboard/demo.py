"""The demo's alert thresholds: the new-rural-area target, and the 1022 on-time answer rate the decree expects."""

from decimal import Decimal

from django.db import transaction

from tinhso.core import audit
from tinhso.dashboard.models import AlertRule
from tinhso.indicators.models import Indicator

#: (indicator code or registered figure key, direction, threshold, level, note)
RULES = [
    ("ntm_share", AlertRule.Direction.BELOW, "95", AlertRule.Level.WARNING, "Mục tiêu giai đoạn 2020–2023: 95%."),
    ("feedback.answer_on_time", AlertRule.Direction.BELOW, "90", AlertRule.Level.WARNING, ""),
    ("feedback.satisfaction", AlertRule.Direction.BELOW, "80", AlertRule.Level.CRITICAL, ""),
]


def load_dashboard_demo() -> int:
    """Create the demo's thresholds that are missing (an administrator's edits are kept); return how many."""
    created = 0
    with transaction.atomic():
        for source, direction, threshold, level, note in RULES:
            if "." in source:
                key = {"figure_key": source, "indicator": None}
            else:
                indicator = Indicator.objects.filter(code=source).first()
                if indicator is None:
                    continue
                key = {"figure_key": "", "indicator": indicator}
            if AlertRule.objects.filter(**key, direction=direction).exists():
                continue
            rule = AlertRule.objects.create(
                **key, direction=direction, threshold=Decimal(threshold), level=level, note=note
            )
            audit.record(actor=None, action="dashboard.alert_rule_created", obj=rule)
            created += 1
    return created
