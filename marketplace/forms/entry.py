"""The entry form: one form for writing a new entry and editing an existing one."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..i18n import language_name, term_label
from ..numbers import parse_id
from ..services.entries import SUMMARY_MAX, split_translation_key
from ..services.manage_taxonomy import retired_choices_kept
from ..vocab import (
    COST_BANDS,
    FORM_LANGUAGES,
    KINDS,
    LICENCES,
    MATURITIES,
    MATURITY_HINTS,
)
from . import Form, options

MARKDOWN_HINT = _l(
    "Markdown: blank line between paragraphs, **bold**, *italic*, - lists, [links](https://...)."
)

SUMMARY_HINT = _l(
    "One or two plain sentences shown in search results (at most %(max)d characters).",
    max=SUMMARY_MAX,
)
SUMMARY_LIMIT = Length(max=SUMMARY_MAX, message=_l("At most %(max)d characters."))
DESCRIPTION_HINT = _l(
    "What it does, for whom, how it works and how it was set up. %(markdown)s",
    markdown=MARKDOWN_HINT,
)
IMPACT_HINT = _l("Figures and outcomes so far. %(markdown)s", markdown=MARKDOWN_HINT)
LESSONS_HINT = _l(
    "What you would do differently; what other cities should watch out for. %(markdown)s",
    markdown=MARKDOWN_HINT,
)


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (usable without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EntryForm(Form):
    # Radio choices are checked by services.entries.problems, so a draft may leave them empty.
    kind = RadioField(_l("Kind of entry"), choices=options(KINDS.items()), validate_choice=False)
    title = StringField(_l("Title"), validators=[Length(max=200)])
    # Checked by services.entries.problems; the choices are made per request in __init__.
    language = SelectField(
        _l("Written in"),
        validate_choice=False,
        description=_l(
            "The language of this text. Translations into other languages are added on the "
            "entry's page."
        ),
    )
    summary = TextAreaField(_l("Summary"), validators=[SUMMARY_LIMIT], description=SUMMARY_HINT)
    description = TextAreaField(_l("Description"), description=DESCRIPTION_HINT)
    impact = TextAreaField(_l("Impact and results"), description=IMPACT_HINT)
    lessons = TextAreaField(_l("Lessons learned: what did not work"), description=LESSONS_HINT)
    challenges = CheckboxesField(
        _l("Challenges"), description=_l("The ICC challenges this answers.")
    )
    services = CheckboxesField(_l("Transversal services"))
    sdgs = CheckboxesField(_l("UN Sustainable Development Goals"), coerce=int)
    # Choices with a computed label (maturity, languages) are made per request in __init__.
    maturity = RadioField(_l("Maturity"), validate_choice=False)
    cost_band = SelectField(
        _l("Set-up cost"),
        choices=options([("", _l("Not stated")), *COST_BANDS.items()]),
        validators=[Optional()],
    )
    funding_model = StringField(
        _l("Funding"),
        validators=[Length(max=200)],
        description=_l("How it was paid for, e.g. city budget, ERDF, a national programme."),
    )
    licence = SelectField(
        _l("Licence"),
        choices=options([("", _l("Not stated")), *LICENCES.items()]),
        validators=[Optional()],
        description=_l("Of the software, data or method, if it can be reused."),
    )
    languages = CheckboxesField(
        _l("Languages"),
        description=_l("Languages the solution and its documentation exist in."),
    )
    provider = StringField(
        _l("Provider or partners"),
        validators=[Length(max=200)],
        description=_l("Companies, universities, NGOs."),
    )
    website = URLField(_l("Website"), validators=[Length(max=500)])
    contact_name = StringField(_l("Contact name"), validators=[Length(max=120)])
    contact_email = EmailField(_l("Contact email"), validators=[Length(max=254)])
    contact_public = BooleanField(_l("Show the contact on the public page"))
    image = FileField(
        _l("Image (optional)"),
        description=_l("A logo or a screenshot: PNG, JPEG or WebP, at most 2 MB."),
    )
    image_alt = StringField(
        _l("What the image shows"),
        validators=[Length(max=200)],
        description=_l("A few words read out to people who cannot see the image."),
    )
    # The image already stored for this entry or an earlier submission of this form.
    image_name = HiddenField()
    remove_image = BooleanField(_l("Remove the image"))
    not_duplicate = BooleanField(_l("None of these describes the same thing as my entry"))
    # The entry's version when the form was opened (services.publishing.EditorState).
    version = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built here, not at import, so the names read in the request's interface language.
        self.maturity.choices = options(
            (k, f"{label} ({MATURITY_HINTS[k]})") for k, label in MATURITIES.items()
        )
        self.languages.choices = options((code, language_name(code)) for code in FORM_LANGUAGES)
        self.language.choices = options(
            sorted(
                ((code, language_name(code)) for code in FORM_LANGUAGES),
                key=lambda choice: choice[1].casefold(),
            )
        )

    def set_choices(self, tracks, services, sdgs) -> None:
        """Offer the current taxonomy; values already on the entry stay even if retired.

        ``tracks`` and ``services`` are the current ones; a chosen challenge of a retired track
        and a chosen retired service are looked up and offered after them.
        """
        kept = list(self.challenges.data or [])
        kept_services = list(self.services.data or [])
        retired_groups, retired_services = retired_choices_kept(kept, kept_services)
        self.challenge_groups = [
            (track, [c for c in track.challenges if not c.retired or c.slug in kept])
            for track in tracks
        ] + retired_groups
        self.challenges.choices = options(
            (c.slug, term_label(c)) for _, group in self.challenge_groups for c in group
        )
        self.services.choices = options(
            (s.slug, term_label(s)) for s in [*services, *retired_services]
        )
        self.sdgs.choices = options((s.number, f"{s.number}. {term_label(s)}") for s in sdgs)

    def to_data(self) -> dict[str, Any]:
        """The typed values as entry data (services.entries)."""
        return {
            "kind": self.kind.data or "",
            "title": (self.title.data or "").strip(),
            # Left out when not chosen: the entry keeps its language (publishing.save).
            **({"language": self.language.data} if self.language.data else {}),
            "summary": (self.summary.data or "").strip(),
            "description": self.description.data or "",
            "impact": self.impact.data or "",
            "lessons": self.lessons.data or "",
            "provider": (self.provider.data or "").strip(),
            "contact_name": (self.contact_name.data or "").strip(),
            "contact_email": (self.contact_email.data or "").strip(),
            "contact_public": bool(self.contact_public.data),
            "website": (self.website.data or "").strip(),
            "maturity": self.maturity.data or "",
            "cost_band": self.cost_band.data or "",
            "funding_model": (self.funding_model.data or "").strip(),
            "licence": self.licence.data or "",
            "image": "" if self.remove_image.data else (self.image_name.data or ""),
            "image_alt": (self.image_alt.data or "").strip(),
            "languages": list(self.languages.data or []),
            "challenges": list(self.challenges.data or []),
            "services": list(self.services.data or []),
            "sdgs": list(self.sdgs.data or []),
        }

    def version_seen(self) -> int | None:
        """The version the form was opened on, or None when it is missing or garbled."""
        return parse_id((self.version.data or "").strip())

    def upload(self) -> Any:
        """The uploaded image's stream, or None when no file was chosen."""
        upload = self.image.data
        return upload.stream if upload and getattr(upload, "filename", "") else None

    def add_problems(self, problems: dict[str, str]) -> None:
        """Show a service's problems next to their fields ("": above the form), after any the
        form found itself."""
        for name, message in problems.items():
            field = self._fields.get(name)
            translation = split_translation_key(name)
            if translation is not None:
                self.form_errors.append(
                    _(
                        "The translation into %(language)s: %(problem)s",
                        language=language_name(translation[0]),
                        problem=message,
                    )
                )
            elif field is None:
                self.form_errors.append(message)
            elif not field.errors:
                field.errors = [*field.errors, message]


class TranslationForm(Form):
    """One translation of an entry: its text fields, with the entry form's hints and limits."""

    title = StringField(_l("Title"), validators=[Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[SUMMARY_LIMIT], description=SUMMARY_HINT)
    description = TextAreaField(_l("Description"), description=DESCRIPTION_HINT)
    impact = TextAreaField(_l("Impact and results"), description=IMPACT_HINT)
    lessons = TextAreaField(_l("Lessons learned: what did not work"), description=LESSONS_HINT)
    # The entry's version when the page was opened (services.publishing.EditorState).
    version = HiddenField()

    def to_values(self) -> dict[str, str]:
        """The typed translation as services.translations takes it."""
        return {
            "title": (self.title.data or "").strip(),
            "summary": (self.summary.data or "").strip(),
            "description": self.description.data or "",
            "impact": self.impact.data or "",
            "lessons": self.lessons.data or "",
        }

    def version_seen(self) -> int | None:
        """The version the page was opened on, or None when it is missing or garbled."""
        return parse_id((self.version.data or "").strip())

    def add_problems(self, problems: dict[str, str]) -> None:
        """Show a service's problems next to their fields ("": above the form)."""
        for name, message in problems.items():
            field = self._fields.get(name) if name else None
            if field is None:
                self.form_errors.append(message)
            elif not field.errors:
                field.errors = [*field.errors, message]
