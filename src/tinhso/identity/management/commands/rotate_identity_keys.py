from django.core.management.base import BaseCommand
from django.db import transaction

from tinhso.core import audit
from tinhso.identity import crypto
from tinhso.identity.models import Profile


class Command(BaseCommand):
    help = "Re-encrypt every stored ID number with the newest key of IDENTITY_FIELD_KEYS."

    def handle(self, *args, **options):
        count = 0
        rows = Profile.objects.exclude(id_number_encrypted="").values_list("pk", flat=True)
        for pk in rows.iterator(chunk_size=500):
            with transaction.atomic():
                profile = Profile.objects.select_for_update().get(pk=pk)
                profile.id_number_encrypted = crypto.rotate(profile.id_number_encrypted)
                profile.save(update_fields=["id_number_encrypted"])
            count += 1
        audit.record(action="identity.keys_rotated", object_type="identity.profile", extra={"rows": count})
        self.stdout.write(f"{count} hồ sơ đã mã hóa lại bằng khóa mới nhất.")
