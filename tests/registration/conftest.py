"""The in-process SMTP server of the mail tests, for the reminder mails."""

from tests.mail.conftest import smtp_server  # noqa: F401  (fixture)
