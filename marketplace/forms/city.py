"""The city profile form, edited by the city's own publishers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, TextAreaField, URLField
from wtforms.validators import Length, NumberRange, Optional

from . import Form


class CityProfileForm(Form):
    profile = TextAreaField(
        _l("Profile"),
        validators=[Length(max=20_000)],
        description=_l(
            "Your city's smart-city strategy, priorities and what it can share. "
            "Markdown: blank line between paragraphs, **bold**, - lists, [links](https://...)."
        ),
    )
    website = URLField(_l("Website"), validators=[Optional(), Length(max=500)])
    population = IntegerField(
        _l("Population"),
        validators=[
            Optional(),
            NumberRange(min=1, max=50_000_000, message=_l("Give a whole number.")),
        ],
    )
