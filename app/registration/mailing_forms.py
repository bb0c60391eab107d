"""The organizer's mailing form: subject, body with placeholders, recipient filter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.forms import WebForm


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class MailingForm(WebForm):
    """Compose a message; choices of the filter fields are set by the view."""

    subject = StringField(
        _l("Subject"), filters=[_strip], validators=[DataRequired(), Length(max=200)]
    )
    body = TextAreaField(
        _l("Message"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l(
            "Plain text. Placeholders: {name}, {latin_name}, {organization}, {manage_url} "
            "(the recipient's personal link), {join_url} (an online attendee's personal join "
            "link; empty for others)."
        ),
        render_kw={"rows": 10},
    )
    category = SelectField(_l("Category"), default="")
    state = SelectField(_l("State"), default="confirmed")
    attendance = SelectField(_l("Attendance"), default="")
    language = SelectField(_l("Language"), default="")
    client_token = HiddenField()
