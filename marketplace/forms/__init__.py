"""WTForms classes per area, and how a service's refusal lands next to the right field."""

from __future__ import annotations

from flask import current_app, request
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


def accepts_upload(view):
    """Mark a form view whose requests may carry a file larger than MAX_CONTENT_LENGTH allows, up
    to UPLOAD_REQUEST_MAX_BYTES: the form is then read, and an image too large for the rules is
    refused next to its field with everything typed kept, instead of a bare 413 page."""
    view.accepts_upload = True
    return view


def widen_upload_limit() -> None:
    """Before any other request hook (CSRF reads the form): raise the size limit for a view
    marked with ``accepts_upload``."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "accepts_upload", False):
        request.max_content_length = current_app.config["UPLOAD_REQUEST_MAX_BYTES"]
