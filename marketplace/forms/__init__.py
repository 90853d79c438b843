"""WTForms classes per area, and how a service's refusal lands next to the right field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, StringField, TextAreaField

from ..services.errors import ValidationFailed
from ..text import clean_line, clean_text


class Form(FlaskForm):
    """The base of every form: text arrives without control characters; single-line fields
    also without line breaks (passwords are taken exactly as typed)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                cleaner = clean_text if issubclass(field_class, TextAreaField) else clean_line
                options["filters"] = (cleaner, *unbound_field.kwargs.get("filters", ()))
            return unbound_field.bind(form=form, **options)


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def attach_error(form: FlaskForm, error: ValidationFailed) -> None:
    """Show a service's ValidationFailed next to its field, or above the form."""
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def keeps_input(view):
    """Mark a form view to be shown again, with what was typed, when its CSRF token failed.

    The error handler for CSRFError calls such a view instead of answering 400; the form's own
    CSRF check then fails and the page explains that nothing was saved. Put it above the route's
    other decorators' results (directly under ``@bp.route``).
    """
    view.keeps_input_on_csrf_failure = True
    return view
