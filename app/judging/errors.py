"""The judging domain's error: every refusal of a judging service."""

from __future__ import annotations


class JudgingError(Exception):
    """A judging operation that cannot be done; `message` is shown to the user."""

    def __init__(self, message, status: int = 400, code: str = "invalid", field_name=None):
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.code = code
        self.field_name = field_name
