"""The refusal every layer shares: a request or change that the state of things does not allow."""

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The request cannot go on as asked: an open request exists, the step was already decided,
    or the state machine forbids it. The API answers it with 409; a ValidationError is a 400."""
