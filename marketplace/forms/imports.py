"""The curators' import page: a file, its format, and the city of rows that name none."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField

from . import Form, options
from .entry import CheckboxesField


class ImportForm(Form):
    form = SelectField(_l("Format"), default="csv")
    upload = FileField(
        _l("File"),
        validators=[FileRequired(_l("Choose the file to import."))],
        description=_l(
            "A CSV file in the columns of the CSV export (download one from a search to see "
            "them), or a publiccode.yml file or a zip of them; in UTF-8, of at most 20 MB."
        ),
    )
    city = SelectField(
        _l("City of rows that name none"),
        default="",
        description=_l("Rows with a city column keep their own city."),
    )
    challenges = CheckboxesField(
        _l("Challenges of rows that name none"),
        description=_l(
            "An entry needs at least one challenge to be submitted for review, and a "
            "publiccode.yml names none of ours: choose what the imported entries answer. Rows "
            "that name their challenges keep their own."
        ),
    )

    def __init__(
        self,
        formats: list[tuple[str, str]],
        cities: list[tuple[str, str]],
        challenges: list[tuple[str, str]],
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.form.choices = options(formats)
        self.city.choices = options([("", _l("None: every row names its city")), *cities])
        self.challenges.choices = options(challenges)


class RunForm(Form):
    """The "Import" button under a dry run: the kept file and the plan it showed."""

    token = HiddenField()
    fingerprint = HiddenField()
