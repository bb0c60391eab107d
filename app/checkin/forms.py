"""Organizer forms for check-in lists and device tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import WebForm

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one multiple choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CheckinListForm(WebForm):
    """A check-in list; the window is entered in the event's timezone."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)], filters=[_strip])
    categories = MultiCheckboxField(
        _l("Categories admitted"),
        coerce=int,
        description=_l("Tick none to admit every category."),
    )
    starts_at = DateTimeLocalField(_l("Opens"), format=LOCAL_FORMATS, validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Closes"), format=LOCAL_FORMATS, validators=[Optional()])
    track_exits = BooleanField(_l("Track exits (scan people out as well as in)"))

    def validate_ends_at(self, field) -> None:
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The window must end after it starts."))


class DeviceTokenForm(WebForm):
    """A new device token: only a name to recognise the device by."""

    name = StringField(
        _l("Device name"),
        validators=[DataRequired(), Length(max=80)],
        filters=[_strip],
        description=_l("For example: Tablet 1, main entrance."),
    )


class ConfirmForm(WebForm):
    """A button-only POST form: carries nothing but the CSRF token."""
