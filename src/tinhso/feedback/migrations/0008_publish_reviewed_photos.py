"""Mark the files of cases already answered as published (staff reviewed them with the answer); others wait."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

# Report.PUBLISHED_STATUSES at the time of writing: a migration does not import the live model's constants.
ANSWERED = ("answered", "closed")


def publish_answered(apps, schema_editor):
    Attachment = apps.get_model("feedback", "Attachment")
    Report = apps.get_model("feedback", "Report")
    answered_at = Report.objects.filter(pk=OuterRef("report_id")).values("answered_at")[:1]
    Attachment.objects.filter(report__status__in=ANSWERED, is_public=True).update(
        published=True, reviewed_at=Subquery(answered_at)
    )
    Attachment.objects.exclude(report__status__in=ANSWERED, is_public=True).update(published=False, reviewed_at=None)


def unpublish(apps, schema_editor):
    apps.get_model("feedback", "Attachment").objects.update(published=False, reviewed_at=None)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0007_attachment_review")]

    operations = [migrations.RunPython(publish_answered, unpublish)]
