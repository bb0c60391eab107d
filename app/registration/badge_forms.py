"""Forms of the organizer's badge page: badge settings and badge-sheet requests."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Optional, Regexp

from app.forms import WebForm

BADGE_SIZE_CHOICES = [("A6", _l("A6 (105 × 148 mm)")), ("90x130", _l("90 × 130 mm"))]


class BadgeSettingsForm(WebForm):
    """Badge size, accent colour and logo of an event."""

    badge_size = SelectField(_l("Badge size"), choices=BADGE_SIZE_CHOICES)
    accent_color = StringField(
        _l("Accent colour"),
        validators=[
            DataRequired(),
            Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Enter a colour like #1F4E9C.")),
        ],
        description=_l("A colour like #1F4E9C, printed as a stripe across the top."),
    )
    logo = FileField(
        _l("Logo"),
        description=_l("PNG or JPEG under 2 MB. SVG is not accepted."),
    )
    remove_logo = BooleanField(_l("Remove the current logo"))


class BadgeSheetForm(WebForm):
    """Which badges to print on A4 sheets; selected ids come as repeated `ids` fields."""

    selection = RadioField(
        _l("Badges of"),
        choices=[
            ("all", _l("All confirmed registrations")),
            ("category", _l("One category")),
            ("selected", _l("The registrations selected in the list")),
        ],
        default="all",
    )
    category_id = SelectField(
        _l("Category"), coerce=int, validators=[Optional()], choices=[], validate_choice=False
    )
    size = SelectField(_l("Badge size"), choices=BADGE_SIZE_CHOICES)
