"""The Thái Nguyên demo taxonomy, routing defaults and response templates (idempotent, never overwrites edits)."""

import csv
from pathlib import Path

from django.db import transaction

from tinhso.core import audit
from tinhso.core.models import Agency
from tinhso.feedback.actions import DEFAULT_CLOCKS
from tinhso.feedback.models import Category, DeadlinePolicy, ResponseTemplate

CATEGORIES = Path(__file__).parent / "data" / "categories.csv"

TEMPLATES = [
    ("Đã khắc phục", "Cơ quan đã kiểm tra hiện trường và khắc phục xong vào ngày …. Cảm ơn ông/bà đã phản ánh."),
    (
        "Đã chuyển đơn vị quản lý",
        "Nội dung phản ánh thuộc trách nhiệm của …; đơn vị đã tiếp nhận và sẽ xử lý trước ngày ….",
    ),
    (
        "Đề nghị bổ sung vị trí",
        "Đề nghị ông/bà cung cấp vị trí cụ thể (số nhà, tên đường, mốc gần nhất) để cơ quan kiểm tra.",
    ),
]


@transaction.atomic
def load_demo_feedback() -> dict[str, int]:
    """Create the categories, default deadline policies and templates that do not exist yet; return counts."""
    created = {"categories": 0, "policies": 0, "templates": 0}
    with CATEGORIES.open(encoding="utf-8") as handle:
        for order, row in enumerate(csv.DictReader(handle)):
            agency = Agency.objects.filter(code=row["agency"]).first() if row["agency"] else None
            _category, new = Category.objects.get_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "group": row["group"],
                    "default_agency": agency,
                    "default_level": row["level"],
                    "is_public": row["public"] == "1",
                    "allows_anonymous": row["anonymous"] == "1",
                    "keywords": row["keywords"],
                    "sort_order": order,
                },
            )
            created["categories"] += new
    for level, clocks in DEFAULT_CLOCKS.items():
        _policy, new = DeadlinePolicy.objects.get_or_create(
            category=None,
            level=level,
            defaults={
                "accept_hours": clocks.accept_hours,
                "answer_days": clocks.answer_days,
                "answer_hours": clocks.answer_hours,
                "warn_before_hours": clocks.warn_before_hours,
            },
        )
        created["policies"] += new
    for title, body in TEMPLATES:
        _template, new = ResponseTemplate.objects.get_or_create(
            agency=None, category=None, title=title, defaults={"body": body}
        )
        created["templates"] += new
    if any(created.values()):
        audit.record(action="feedback.demo.load", object_type="feedback.category", extra=created)
    return created
