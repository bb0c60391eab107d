"""Account forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.forms import WebForm


class LoginForm(WebForm):
    """Sign in with email and password."""

    # No syntax check: signing in only looks the address up, and accounts on reserved domains
    # (the demo's @huiwu.local) must still be able to sign in.
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in"))


class SecondFactorForm(WebForm):
    """The code from the authenticator app, or a recovery code, after the password."""

    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(), Length(max=40)],
    )


class EnableTwoFactorForm(WebForm):
    """Confirm the enrolment with a code from the app."""

    code = StringField(
        _l("The 6-digit code the app shows"), validators=[DataRequired(), Length(max=20)]
    )


class PasswordConfirmForm(WebForm):
    """Confirm a sensitive change of one's own account with the password."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class SignOutEverywhereForm(WebForm):
    """End every session of one's own account (a button; the form carries the CSRF token)."""
