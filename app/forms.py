"""The base of every HTML form: Flask-WTF's FlaskForm (CSRF, request data), given only the
uploads that its file fields expect, and refusing numbers no database column holds.

Flask-WTF hands a form the request's files together with its fields, so a crafted multipart
body with a file part under a text field's name reached that field as a file object, and its
validators failed with a server error. Here a file part counts only under the name of a file
field; under any other name it is dropped, and the field is judged as missing (a message).
"""

from __future__ import annotations

import math
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, FileStorage, MultiDict
from wtforms import (
    Field,
    FieldList,
    FileField,
    FloatField,
    FormField,
    MultipleFileField,
    StringField,
)

from app.extensions import fits_integer
from app.i18n import translated_label
from app.translated import Translated

OUT_OF_RANGE = _l("This number is out of range.")


class NumberField(FloatField):
    """A float field that shows whole numbers as such: a score of 10 reads "10", not "10.0"."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, float) and math.isfinite(self.data) and self.data.is_integer():
            return str(int(self.data))
        return super()._value()


class WebForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            formdata = super().wrap_formdata(form, formdata)
            if not isinstance(formdata, CombinedMultiDict | MultiDict):
                return formdata
            file_fields = {
                field.name for field in form if isinstance(field, FileField | MultipleFileField)
            }
            return MultiDict(
                (key, value)
                for key, value in formdata.items(multi=True)
                if key in file_fields or not isinstance(value, FileStorage)
            )

    def validate(self, extra_validators=None) -> bool:
        """WTForms' validation, then every number the form read (integer fields, choices coerced
        to int, floats) checked against what the database can store: an id or count beyond
        PostgreSQL's `integer`, or an infinite or NaN float, is a message on its field, not a
        failed statement (the field's own NumberRange, where it has one, is usually tighter)."""
        valid = super().validate(extra_validators)
        return _numbers_storable(self) and valid


def _storable(value: object) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return fits_integer(value)
    if isinstance(value, float | Decimal):
        return math.isfinite(value) and abs(value) < 1e15
    return True


def _numbers_storable(form) -> bool:
    """Add OUT_OF_RANGE to every field (of nested forms too) holding an unstorable number."""
    ok = True
    for field in form:
        if isinstance(field, FormField):
            ok = _numbers_storable(field.form) and ok
        elif isinstance(field, FieldList):
            for entry in field.entries:
                if isinstance(entry, FormField):
                    ok = _numbers_storable(entry.form) and ok
                elif not all(map(_storable, _values(entry.data))):
                    entry.errors = [*entry.errors, OUT_OF_RANGE]
                    ok = False
        elif not all(map(_storable, _values(field.data))):
            field.errors = [*field.errors, OUT_OF_RANGE]
            ok = False
    return ok


def _values(data: object) -> list:
    return list(data) if isinstance(data, list | tuple) else [data]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def language_fields(
    prefix: str, label: object, languages: tuple[str, ...], field: type = StringField, **options
) -> dict[str, Field]:
    """One unbound field `<prefix>_<language>` per content language, labelled "label (language)"
    and stripped; for a form class built per event (`type(name, (Base,), {...})`)."""
    return {
        f"{prefix}_{language}": field(
            translated_label(label, language), filters=[_strip], **options
        )
        for language in languages
    }


def language_values(form, prefix: str, languages: tuple[str, ...]) -> Translated:
    """What the `language_fields` of `prefix` hold, as one translated text."""
    return Translated({language: form[f"{prefix}_{language}"].data for language in languages})
