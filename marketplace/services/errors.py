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
    """Input a service refuses; ``field`` names the form field the message belongs next to."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
