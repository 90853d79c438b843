"""Forms of the curators' and administrators' pages: taxonomy, cities and accounts.

The services check every rule again and name the field a refusal belongs to; these forms keep
what was typed and catch the obvious mistakes early.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from .. import i18n
from ..services import phrases as term_phrases
from ..services.errors import ValidationFailed
from ..services.manage_cities import NAME_MAX as CITY_NAME_MAX
from ..services.manage_cities import POPULATION_MAX, PROFILE_MAX, SLUG_MAX
from ..services.manage_taxonomy import NAME_MAX
from ..services.manage_users import NAME_MAX as PERSON_NAME_MAX
from ..services.term_languages import InLanguage
from ..vocab import CITY_ROLES, ROLE_LABELS
from . import Form
from .entry import options

DESCRIPTION_MAX = 2000


def _name(label: str | None = None, max_length: int = NAME_MAX) -> StringField:
    return StringField(
        label or _l("Name"),
        validators=[
            DataRequired(_l("Give a name.")),
            # WTForms fills in %(max)d.
            Length(max=max_length, message=_l("Keep it to %(max)d characters.")),
        ],
    )


def _edition() -> StringField:
    return StringField(
        _l("ICC edition"),
        validators=[DataRequired(_l("Give the edition.")), Length(max=20)],
        description=_l("The years of the ICC round, such as 2020-22 or 2024."),
    )


def _description() -> TextAreaField:
    return TextAreaField(
        _l("Description"),
        validators=[Length(max=DESCRIPTION_MAX)],
        description=_l("One or two sentences shown on the public page."),
    )


def _phrases() -> TextAreaField:
    return TextAreaField(
        _l("Words people use for it"),
        description=_l(
            "One phrase a line, in English: the everyday words, synonyms, acronyms and ways of "
            "describing the problem that city officers type, such as “old town” or “LEZ”. A "
            "search that uses one finds the entries filed here. Leave out words that fit every "
            "term. At most %(most)d, each %(shortest)d to %(longest)d characters.",
            most=term_phrases.PHRASES_MAX,
            shortest=term_phrases.PHRASE_MIN,
            longest=term_phrases.PHRASE_MAX,
        ),
        render_kw={"rows": 8},
    )


def _check_phrases(form, field) -> None:
    """A list of the words people use for a term, checked as the service checks it."""
    try:
        term_phrases.clean(field.data)
    except ValidationFailed as error:
        raise ValidationError(str(error)) from error


class _Phrases:
    """Checks the words people use for a term (the ``phrases`` field) as the service does."""

    def validate_phrases(self, field) -> None:
        _check_phrases(self, field)

    def phrases_sent(self) -> str | None:
        """The list as typed, or None when the request did not carry the field at all (a form
        from before the field existed must not empty the list)."""
        return self.phrases.data or "" if self.phrases.raw_data else None


class _InLanguages:
    """The term's name and phrases in each interface language but English (fields
    ``name_<code>`` and ``phrases_<code>``, added below)."""

    def in_languages(self) -> list[InLanguage]:
        """What was typed per language (None for a field the request did not carry)."""
        sent = []
        for code in i18n.LANGUAGES[1:]:
            name, words = getattr(self, f"name_{code}"), getattr(self, f"phrases_{code}")
            sent.append(
                InLanguage(
                    code,
                    name.data or "" if name.raw_data else None,
                    words.data or "" if words.raw_data else None,
                )
            )
        return sent

    def language_fields(self) -> list[tuple[str, Any, Any]]:
        """(code, name field, phrases field) per language, in menu order, for the template."""
        return [
            (code, getattr(self, f"name_{code}"), getattr(self, f"phrases_{code}"))
            for code in i18n.LANGUAGES[1:]
        ]


class TermForm(_InLanguages, _Phrases, Form):
    """Renaming a challenge or a transversal service and editing its phrases."""

    name = _name()
    phrases = _phrases()


class TrackForm(_InLanguages, _Phrases, Form):
    """Renaming a track or moving it to another edition, and editing its phrases."""

    name = _name()
    edition = _edition()
    phrases = _phrases()


for _form in (TermForm, TrackForm):
    for _code in i18n.LANGUAGES[1:]:
        setattr(_form, f"name_{_code}", StringField(_l("Name"), validators=[Length(max=NAME_MAX)]))
        setattr(
            _form,
            f"phrases_{_code}",
            TextAreaField(
                _l("Words people use for it"),
                description=_l(
                    "One phrase a line, in this language: the everyday words, synonyms and "
                    "acronyms city officers type for it. At most %(most)d, each %(shortest)d to "
                    "%(longest)d characters.",
                    most=term_phrases.PHRASES_MAX,
                    shortest=term_phrases.PHRASE_MIN,
                    longest=term_phrases.PHRASE_MAX,
                ),
                validators=[_check_phrases],
                render_kw={"rows": 4},
            ),
        )


class NewTrackForm(_Phrases, Form):
    name = _name()
    edition = _edition()
    description = _description()
    phrases = _phrases()


class NewChallengeForm(_Phrases, Form):
    name = _name()
    track = SelectField(_l("Track"), validate_choice=False)
    phrases = _phrases()

    def set_tracks(self, tracks) -> None:
        self.track.choices = options(
            [("", _("Choose a track"))] + [(t.slug, f"{t.name} ({t.edition})") for t in tracks]
        )


class NewServiceForm(_Phrases, Form):
    name = _name()
    description = _description()
    phrases = _phrases()


def _role() -> SelectField:
    return SelectField(_l("Role"), choices=options(ROLE_LABELS.items()), validate_choice=False)


def _city() -> SelectField:
    return SelectField(
        _l("City"),
        validate_choice=False,
        description=_l(
            "The city a publisher writes for; curators and administrators may have none."
        ),
    )


class _CityChoices:
    def set_cities(self, cities) -> None:
        self.city.choices = options([("", _("No city"))] + [(c.slug, c.name) for c in cities])


class InviteForm(_CityChoices, Form):
    email = EmailField(
        _l("Email"), validators=[DataRequired(_l("Give the email address to invite."))]
    )
    display_name = StringField(
        _l("Name"),
        validators=[Length(max=PERSON_NAME_MAX)],
        description=_l("As other people will see it; left empty, the part of the email before @."),
    )
    role = _role()
    city = _city()
    language = SelectField(
        _l("Language"),
        description=_l("Of the invitation, and of the site until they choose another."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = i18n.menu()
        if self.language.data is None:
            self.language.data = i18n.current_language()


class UserForm(_CityChoices, Form):
    role = _role()
    city = _city()


class CityForm(Form):
    name = _name(max_length=CITY_NAME_MAX)
    slug = StringField(
        _l("Address"),
        validators=[Length(max=SLUG_MAX)],
        description=_l(
            "The end of the city's page address (/cities/...): lower-case letters, digits "
            "and hyphens. Left empty, it is made from the name."
        ),
    )
    country = StringField(
        _l("Country"),
        validators=[
            DataRequired(_l("Give the country.")),
            Length(max=2, message=_l("Two letters.")),
        ],
        description=_l("Two-letter ISO code, such as PT, HR or UA."),
    )
    role = SelectField(_l("ICC role"), choices=options(CITY_ROLES.items()), validate_choice=False)
    population = IntegerField(
        _l("Population"),
        validators=[
            Optional(),
            NumberRange(min=1, max=POPULATION_MAX, message=_l("Give a whole number.")),
        ],
    )
    website = URLField(_l("Website"), validators=[Optional(), Length(max=500)])
    profile = TextAreaField(
        _l("Profile"),
        validators=[Length(max=PROFILE_MAX)],
        description=_l(
            "The city's smart-city strategy, priorities and what it can share. Markdown: "
            "blank line between paragraphs, **bold**, - lists, [links](https://...)."
        ),
    )
