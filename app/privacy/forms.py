"""Privacy forms: a participant's deletion request, the organizer's decisions, anonymization."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.forms import WebForm


class DeletionRequestForm(WebForm):
    """The participant confirms they want their data deleted."""

    confirm = BooleanField(
        _l("I understand that my registration will be cancelled and my data deleted."),
        validators=[DataRequired(message=_l("Please tick the box to confirm."))],
    )


class DecisionForm(WebForm):
    """Confirm a deletion request (no fields but the CSRF token)."""


class DeclineForm(WebForm):
    """Decline a deletion request with the reason the participant will read."""

    note = TextAreaField(
        _l("Reason (shown to the participant)"),
        validators=[DataRequired(), Length(max=500)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


class RetentionForm(WebForm):
    """The retention period to preview, counted in days from the end of the event."""

    class Meta:
        csrf = False  # a GET form that only previews

    days = IntegerField(
        _l("Retention period (days after the end of the event)"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=36500)],
    )


class AnonymizeEventForm(WebForm):
    """Anonymize an event's registrations: the organizer types the event's address to confirm."""

    days = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=36500)])
    confirm_slug = StringField(
        _l("Type the event's address to confirm"), validators=[DataRequired(), Length(max=80)]
    )


class AnonymizeRegistrationForm(WebForm):
    """Delete one registration's personal data on the organizer's own decision."""

    confirm = BooleanField(
        _l("Delete this person's personal data now; this cannot be undone."),
        validators=[DataRequired(message=_l("Please tick the box to confirm."))],
    )
