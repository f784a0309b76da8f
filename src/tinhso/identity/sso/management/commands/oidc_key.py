"""Generate an RSA private key for signing id_tokens (docs/sso.md: key rotation)."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tinhso.identity.sso.keys import generate_pem


class Command(BaseCommand):
    help = "Tạo khóa RSA ký id_token (OIDC_RSA_PRIVATE_KEY_FILE); in ra màn hình nếu không có --out."

    def add_arguments(self, parser):
        parser.add_argument("--out", help="File to write (mode 0600); refuses to overwrite.")
        parser.add_argument("--bits", type=int, default=3072, choices=[2048, 3072, 4096])

    def handle(self, *args, out=None, bits=3072, **options):
        pem = generate_pem(bits)
        if not out:
            self.stdout.write(pem)
            return
        path = Path(out)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{path} already exists: keep it as an inactive key and choose another name.") from None
        with os.fdopen(fd, "w") as handle:
            handle.write(pem)
        self.stdout.write(
            f"{path}: set OIDC_RSA_PRIVATE_KEY_FILE={path};"
            " list the previous file in OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILES."
        )
