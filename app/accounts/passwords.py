"""The password policy for staff accounts: long enough, not a well-known password, not the
account's own email address. Checked by the services that set a password, so the admin page,
the password change page and `flask users create` all apply it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
COMMON_PASSWORDS_FILE = Path(__file__).with_name("data") / "common_passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The refused well-known passwords, lower-cased."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, email: str = ""):
    """Why `password` is refused for the account `email` (a lazy translated message), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _l("The password must have at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)
    folded = password.strip().lower()
    if email and folded == email.strip().lower():
        return _l("The password must not be your email address.")
    if folded in common_passwords() or len(set(folded)) <= 2:
        return _l("This password is too common. Please choose another one.")
    return None
