"""Site administration forms: users, role grants, password change (new events: app.events)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length

from app.accounts.models import Role
from app.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from app.forms import WebForm
from app.i18n import enum_choices

ROLE_CHOICES = enum_choices(Role)


class NewUserForm(WebForm):
    """Create a staff account."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l(
                    "The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH
                ),
            ),
        ],
    )
    is_admin = BooleanField(_l("Site administrator"))


class GrantRoleForm(WebForm):
    """Give an existing user a role on the event."""

    email = EmailField(_l("Email of the user"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class ChangePasswordForm(WebForm):
    """Change one's own password (current one, new one twice)."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=200)]
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l(
                    "The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH
                ),
            ),
        ],
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two new passwords differ.")),
        ],
    )


class RevokeRoleForm(WebForm):
    """Take one role on the event away from one user (hidden fields of a table row)."""

    user_id = IntegerField(validators=[InputRequired()])
    role = SelectField(choices=ROLE_CHOICES)
