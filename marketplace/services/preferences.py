"""What a signed-in person chooses for themselves: the interface language of their account."""

from __future__ import annotations

from ..database import transactional
from ..i18n import LANGUAGES
from ..models import User
from .errors import ValidationFailed


@transactional
def set_language(user: User, language: str) -> None:
    """Keep ``language`` as the account's interface language, on every device it signs in on.

    :raises ValidationFailed: when ``language`` is not one of the interface languages.
    """
    if language not in LANGUAGES:
        raise ValidationFailed("This language is not offered.", field="language")
    user.language = language
