"""Certificate tests use the real in-process SMTP server of the mail tests."""

from tests.mail.conftest import smtp_server  # noqa: F401  (fixture)
