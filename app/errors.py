"""The one base of the errors a domain service raises for the user to fix."""

from __future__ import annotations


class DomainError(Exception):
    """An operation a service refuses; `message` (a translated, possibly lazy string) is shown
    to the user, next to the form field `field_name` when the refusal is about one field."""

    def __init__(self, message, field_name: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field_name = field_name
