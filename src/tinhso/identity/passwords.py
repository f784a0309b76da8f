"""Password rule for context-specific words (ASVS 6.1.2, 6.2.11): the platform's and province's names."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tinhso.core.text import fold

#: Words an attacker tries first against this platform; compared on letters and digits only, without diacritics.
#: A long passphrase (20+ letters and digits) may contain them.
CONTEXT_WORDS = ("tinhso", "thainguyen", "backan", "dichvucong", "vneid")


class ContextWordsValidator:
    def validate(self, password: str, user=None) -> None:
        folded = "".join(char for char in fold(password or "") if char.isalnum())
        if any(word in folded for word in CONTEXT_WORDS) and len(folded) < 20:
            raise ValidationError(
                _("Mật khẩu không được chứa tên hệ thống hay tên tỉnh."),
                code="password_context_word",
            )

    def get_help_text(self) -> str:
        return str(_("Mật khẩu không chứa tên hệ thống hay tên tỉnh."))
