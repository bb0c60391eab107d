"""The base of every HTML form: Flask-WTF's FlaskForm (CSRF, request data), given only the
uploads that its file fields expect.

Flask-WTF hands a form the request's files together with its fields, so a crafted multipart
body with a file part under a text field's name reached that field as a file object, and its
validators failed with a server error. Here a file part counts only under the name of a file
field; under any other name it is dropped, and the field is judged as missing (a message).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, FileStorage, MultiDict
from wtforms import FileField, MultipleFileField


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
