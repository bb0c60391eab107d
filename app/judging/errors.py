"""The judging domain's error: every refusal of a judging service."""

from __future__ import annotations

from app.errors import DomainError


class JudgingError(DomainError):
    """A judging operation that cannot be done; `message` is shown to the user, `status` and
    `code` are the HTTP status and the machine-readable code of the answer."""

    def __init__(self, message, status: int = 400, code: str = "invalid", field_name=None):
        super().__init__(message, field_name)
        self.status = status
        self.code = code
