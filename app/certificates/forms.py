"""Certificate forms: issuing, revoking, settings."""

from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, Field, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.forms import WebForm, language_fields, language_values
from app.translated import Translated

_REFERENCE = re.compile(r"^[Rr]?0*(\d{1,9})$")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def parse_registration_references(text: str) -> tuple[list[int], list[str]]:
    """Registration ids from "R000042, 43 …" text: (ids in order, tokens that are not ids)."""
    ids: list[int] = []
    bad: list[str] = []
    for token in re.split(r"[\s,;，；、]+", text or ""):
        if not token:
            continue
        match = _REFERENCE.match(token)
        if match:
            value = int(match.group(1))
            if value not in ids:
                ids.append(value)
        else:
            bad.append(token[:20])
    return ids, bad


class ParticipationForm(WebForm):
    """Issue participation certificates to categories and/or listed registrations."""

    categories = SelectMultipleField(_l("Confirmed registrations of these categories"), coerce=int)
    references = TextAreaField(
        _l("And/or these registrations"),
        filters=[_strip],
        validators=[Optional(), Length(max=20000)],
        description=_l("References such as R000042 or ids, separated by spaces or commas."),
    )
    checked_in_only = BooleanField(
        _l("Only attendees (checked in at the door, or joined online through their link)")
    )
    send_mail = BooleanField(_l("Send each certificate by email"), default=True)

    def validate_references(self, field) -> None:
        _ids, bad = parse_registration_references(field.data or "")
        if bad:
            raise ValidationError(
                _l("Not a registration reference: %(tokens)s", tokens=", ".join(bad[:5]))
            )


class AwardForm(WebForm):
    """Issue an award certificate to one registration; the award's name per content language
    (`AwardForm.for_languages(event.languages)`), at least one of them."""

    languages: tuple[str, ...] = ()
    reference = StringField(
        _l("Registration"),
        filters=[_strip],
        validators=[DataRequired(), Length(max=20)],
        description=_l("Reference such as R000042."),
    )
    team_name = StringField(_l("Team"), filters=[_strip], validators=[Optional(), Length(max=300)])
    entry_title = StringField(
        _l("Entry"), filters=[_strip], validators=[Optional(), Length(max=300)]
    )
    send_mail = BooleanField(_l("Send the certificate by email"), default=True)

    @classmethod
    def for_languages(cls, languages: list[str] | tuple[str, ...]) -> type[AwardForm]:
        """The award form with a name field per content language."""
        return _award_form(tuple(languages))

    def award_fields(self) -> list[tuple[str, Field]]:
        """(language, the award name's field) in the event's order."""
        return [(language, self[f"award_name_{language}"]) for language in self.languages]

    def award_name(self) -> Translated:
        """The award's name as written, one text per language."""
        return language_values(self, "award_name", self.languages)

    def validate_reference(self, field) -> None:
        ids, bad = parse_registration_references(field.data or "")
        if bad or len(ids) != 1:
            raise ValidationError(_l("Enter one registration reference such as R000042."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.languages and not self.award_name():
            first = self[f"award_name_{self.languages[0]}"]
            first.errors = [*first.errors, _l("Please give the award's name.")]
            ok = False
        return ok

    @property
    def registration_id(self) -> int:
        """The id named by the reference field (after validation)."""
        return parse_registration_references(self.reference.data)[0][0]


@lru_cache(maxsize=64)
def _award_form(languages: tuple[str, ...]) -> type[AwardForm]:
    names = language_fields("award_name", _l("Award"), languages, validators=[Length(max=200)])
    return type("AwardForm_" + "_".join(languages), (AwardForm,), {"languages": languages, **names})


class RevokeForm(WebForm):
    """Revoke a certificate; the reason appears on the public verification page."""

    reason = StringField(
        _l("Reason"), filters=[_strip], validators=[DataRequired(), Length(max=500)]
    )


class ConfirmForm(WebForm):
    """A button-only POST form: carries nothing but the CSRF token."""


class SettingsForm(WebForm):
    """Number prefix, issuer names (one per content language: `for_languages`) and images of
    an event's certificates."""

    languages: tuple[str, ...] = ()

    number_prefix = StringField(
        _l("Number prefix"),
        filters=[_strip],
        validators=[DataRequired(), Length(max=20)],
        description=_l("Certificate numbers look like PREFIX-P-0001 (participation)."),
    )
    logo = FileField(_l("Event logo (PNG)"))
    seal = FileField(_l("Seal (PNG)"))
    signature = FileField(_l("Signature (PNG)"))
    remove_logo = BooleanField(_l("Remove the logo"))
    remove_seal = BooleanField(_l("Remove the seal"))
    remove_signature = BooleanField(_l("Remove the signature"))

    @classmethod
    def for_languages(cls, languages: list[str] | tuple[str, ...]) -> type[SettingsForm]:
        """The settings form with an issuer field per content language."""
        return _settings_form(tuple(languages))

    def issuer_fields(self) -> list[tuple[str, Field]]:
        """(language, the issuer's field) in the event's order."""
        return [(language, self[f"issuer_{language}"]) for language in self.languages]

    def issuer(self) -> Translated:
        """The issuer's name as written, one text per language."""
        return language_values(self, "issuer", self.languages)


@lru_cache(maxsize=64)
def _settings_form(languages: tuple[str, ...]) -> type[SettingsForm]:
    issuers = language_fields("issuer", _l("Issuer"), languages, validators=[Length(max=200)])
    return type(
        "SettingsForm_" + "_".join(languages), (SettingsForm,), {"languages": languages, **issuers}
    )


class LookupForm(WebForm):
    """Public lookup of a certificate by its number and the holder's name."""

    number = StringField(
        _l("Certificate number"), filters=[_strip], validators=[DataRequired(), Length(max=60)]
    )
    name = StringField(
        _l("Name as printed"), filters=[_strip], validators=[DataRequired(), Length(max=200)]
    )
