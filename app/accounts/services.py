"""Account rules: creating users, authenticating, granting roles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from app.accounts.models import EventRole, Role, User
from app.accounts.passwords import MIN_PASSWORD_LENGTH, password_problem
from app.audit.services import record_audit
from app.errors import DomainError
from app.extensions import db

if TYPE_CHECKING:
    from app.events.models import Event

__all__ = ["MIN_PASSWORD_LENGTH", "AccountError"]


class AccountError(DomainError):
    """An account operation that cannot be done; the message is shown to the user next to
    `field_name` (the form field it is about), if given."""


def check_password_policy(password: str, email: str) -> None:
    """Raise AccountError (on the password field) when the password breaks the policy."""
    problem = password_problem(password, email)
    if problem is not None:
        raise AccountError(problem, "password")


def find_user(email: str) -> User | None:
    """The user with this email (case-insensitive), if any."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(email: str, name: str, password: str, is_admin: bool = False) -> User:
    """Create a staff account; raises AccountError for a taken email or a password that
    breaks the policy (app/accounts/passwords.py)."""
    if find_user(email) is not None:
        raise AccountError(
            _l("A user with the email %(email)s already exists.", email=email), "email"
        )
    check_password_policy(password, email)
    user = User(email=email.strip().lower(), name=name.strip(), is_admin=is_admin)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_audit(
        "accounts.user_create",
        target=f"user:{user.id}",
        details={"email": user.email, "site_admin": is_admin},
    )
    return user


def user_by_token_id(token_id: str) -> User | None:
    """The active user of "<id>:<session token>" (a sign-in waiting for its second factor),
    None once the token has changed (password change, deactivation, second factor turned on
    or off, "Sign out everywhere")."""
    raw_id, _, token = token_id.partition(":")
    if not raw_id.isdigit() or int(raw_id) > 2**31 - 1:
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


# A hash made like every account's (werkzeug's default: the same algorithm and cost) of a random
# password nobody knows; checked for unknown and deactivated accounts. A constant, so that even
# the first such attempt of a process costs one hash, not two. tests/accounts/
# test_sign_in_timing.py fails if werkzeug's default (and so new accounts' hashes) changes.
DUMMY_PASSWORD_HASH = (
    "scrypt:32768:8:1$CgNztwfqZK03FjA8$44071bcd59f551d34a559b7ead28cae0f2fb741a4e9f3598987e59fcc5f0"  # noqa: S105
    "ac74639e1109878a0ac20191fa38893de2d450a58302f3a5971bbdb30dc96fd56f4d"
)


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None.

    An unknown or deactivated account costs the same password hash as a wrong password, so the
    answer's timing does not tell which emails have accounts."""
    user = find_user(email)
    if user is None or not user.active:
        check_password_hash(DUMMY_PASSWORD_HASH, password)
        return None
    if not user.check_password(password):
        return None
    return user


def grant_role(user: User, event: Event, role: Role) -> EventRole:
    """Give `user` the `role` on `event` (no-op if already granted)."""
    existing = db.session.scalar(
        select(EventRole).where(
            EventRole.user_id == user.id, EventRole.event_id == event.id, EventRole.role == role
        )
    )
    if existing is not None:
        return existing
    grant = EventRole(user_id=user.id, event_id=event.id, role=role)
    db.session.add(grant)
    db.session.flush()
    record_audit(
        "roles.grant",
        event=event,
        target=f"user:{user.id}",
        details={"email": user.email, "role": role.value},
    )
    return grant


def revoke_role(user: User, event: Event, role: Role) -> bool:
    """Take `role` on `event` away from `user`; False if they did not have it."""
    existing = db.session.scalar(
        select(EventRole).where(
            EventRole.user_id == user.id, EventRole.event_id == event.id, EventRole.role == role
        )
    )
    if existing is None:
        return False
    db.session.delete(existing)
    record_audit(
        "roles.revoke",
        event=event,
        target=f"user:{user.id}",
        details={"email": user.email, "role": role.value},
    )
    return True


def list_users() -> list[User]:
    """Every account, administrators first, then by email."""
    return db.session.scalars(select(User).order_by(User.is_admin.desc(), User.email)).all()


def set_user_active(user: User, active: bool, acting_user: User) -> None:
    """Deactivate (signs them out everywhere) or reactivate an account.

    Raises AccountError when administrators try to deactivate themselves.
    """
    if not active and user.id == acting_user.id:
        raise AccountError(_l("You cannot deactivate your own account."))
    user.active = active
    record_audit(
        "accounts.user_reactivate" if active else "accounts.user_deactivate",
        user=acting_user,
        target=f"user:{user.id}",
        details={"email": user.email},
    )
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password, signing out every other session; raises AccountError for a wrong
    current password or a new one that breaks the policy."""
    if not user.check_password(current_password):
        raise AccountError(_l("The current password is wrong."), "current_password")
    check_password_policy(new_password, user.email)
    user.set_password(new_password)
    db.session.flush()


def role_holders(event: Event) -> list[EventRole]:
    """The role grants on an event with their users, by role then email."""
    return db.session.scalars(
        select(EventRole)
        .join(User, User.id == EventRole.user_id)
        .where(EventRole.event_id == event.id)
        .order_by(EventRole.role, User.email)
    ).all()
