"""Domain errors raised by services; one error handler maps them to HTTP statuses."""


class DomainError(Exception):
    """Base of the errors a service raises on purpose; the message is shown to the user."""

    status_code = 400


class NotFound(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class InvalidTransition(DomainError):
    status_code = 409


class ValidationFailed(DomainError):
    status_code = 400
