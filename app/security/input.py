"""Input the database cannot store is refused at the door, once for the whole app.

PostgreSQL refuses two kinds of values that SQLite takes without a word, and each used to
give a 500 wherever it reached a query:

* **numbers outside a column's range**: an id in a URL, a query parameter, a form or JSON field
  or decoded from a ticket code that exceeds `integer` fails the statement
  ("integer out of range") instead of matching nothing;
* **text with a NUL character** (PostgreSQL text cannot hold U+0000) or a lone surrogate
  (not encodable as UTF-8).

Each way in is guarded here rather than per route:

* the `int` URL converter accepts only what an `integer` column holds (else 404, like any
  unknown id);
* `request.args/form.get(..., type=int)` yields the default for such numbers (as for any text
  that is no number);
* every string of the path, the query, the form fields, the uploaded file names and JSON
  bodies (`loads_request_json`) is checked for NUL and lone surrogates: a 400 page or JSON
  error in the visitor's language;
* WTForms fields (app/forms.py), `db.session.get` (app/extensions.py) and ticket codes
  (app/documents/tickets.py) check the same range.

What still reaches the database out of range is answered 400 by `refused_by_database`
instead of 500, and counted (`app.extensions["huiwu_input_misses"]`): the hostile-input tests
assert that count stays 0, so a new way in is found by the tests, not by a visitor.
"""

from __future__ import annotations

import json
import logging
import re
import uuid

from flask import Flask, Request, current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from app.extensions import INTEGER_MAX, INTEGER_MIN, db, fits_integer

log = logging.getLogger("huiwu")

# NUL, and the surrogate code points that only a JSON escape (\ud800) can produce.
UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
__all__ = [
    "INTEGER_MAX",
    "INTEGER_MIN",
    "InputRejected",
    "database_integer",
    "install_input_guards",
    "loads_request_json",
]


class InputRejected(BadRequest):
    """A request holding text the database cannot store (NUL, lone surrogates)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def description(self) -> str:  # translated when shown, in the visitor's language
        return _(
            "The request contains characters that are not allowed (such as a NUL character). "
            "Please check what you entered and try again."
        )


def database_integer(value: str) -> int:
    """int(value) for a number an `integer` column can hold; ValueError otherwise."""
    number = int(value)
    if not fits_integer(number):
        raise ValueError(f"{value!r} is outside the database's integer range")
    return number


class DatabaseIntegerConverter(IntegerConverter):
    """The `int` URL converter, limited to what an `integer` column can hold (else 404)."""

    def __init__(self, map, fixed_digits: int = 0, min=None, max=None, signed: bool = False):
        super().__init__(
            map,
            fixed_digits=fixed_digits,
            min=INTEGER_MIN if min is None else min,
            max=INTEGER_MAX if max is None else max,
            signed=signed,
        )


class BoundedParameters(ImmutableMultiDict):
    """Query and form parameters whose `type=int` conversion refuses numbers that no
    `integer` column holds, as it refuses text that is no number."""

    def get(self, key, default=None, type=None):
        return super().get(key, default, database_integer if type is int else type)

    def getlist(self, key, type=None):
        return super().getlist(key, database_integer if type is int else type)


class GuardedRequest(Request):
    parameter_storage_class = BoundedParameters


def _has_unstorable_text(value: object) -> bool:
    """True when a string anywhere in a JSON-like value holds NUL or a lone surrogate."""
    if isinstance(value, str):
        return UNSTORABLE_TEXT.search(value) is not None
    if isinstance(value, dict):
        return any(_has_unstorable_text(k) or _has_unstorable_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_unstorable_text(item) for item in value)
    return False


def _refuse_non_json_number(name: str) -> float:
    """NaN and ±Infinity are not JSON (Python reads them; PostgreSQL's json refuses them)."""
    raise ValueError(f"{name} is not a JSON number")


def loads_request_json(raw: bytes | str) -> object:
    """json.loads for a request body; raises ValueError when it is not JSON (NaN and Infinity
    included) and InputRejected when a string in it holds text the database cannot store."""
    data = json.loads(raw, parse_constant=_refuse_non_json_number)
    if _has_unstorable_text(data):
        raise InputRejected()
    return data


def _refuse_unstorable_text() -> None:
    """Before every request: the path, query, form fields and file names."""
    if UNSTORABLE_TEXT.search(request.path):
        raise InputRejected()
    sources = [request.args]
    limit = request.max_content_length
    too_large = limit is not None and (request.content_length or 0) > limit
    # An oversized body is left to the view, which says the limit that applies to it.
    if not too_large and request.mimetype in FORM_TYPES:
        sources.append(request.form)
    for source in sources:
        for key, value in source.items(multi=True):
            if UNSTORABLE_TEXT.search(key) or UNSTORABLE_TEXT.search(value):
                raise InputRejected()
    if not too_large and request.mimetype == "multipart/form-data":
        for key, upload in request.files.items(multi=True):
            if UNSTORABLE_TEXT.search(key) or UNSTORABLE_TEXT.search(upload.filename or ""):
                raise InputRejected()


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _input_rejected(error: InputRejected):
    message = error.description
    if _wants_json():
        return {"error": "invalid_characters", "message": message}, 400
    return render_template("errors/error.html", code=400, message=message), 400


def refused_by_database(error: DataError):
    """The database refused a value (out of range, not storable) that no guard above caught:
    400 in the visitor's language instead of a 500, logged and counted as a guard to add."""
    incident = uuid.uuid4().hex[:12]
    log.warning("input refused by the database, incident %s: %s", incident, error.orig)
    db.session.rollback()
    misses = current_app.extensions.setdefault("huiwu_input_misses", [])
    misses.append(f"{request.method} {request.path}: {error.orig}")
    message = _("A value you entered is out of range or cannot be stored. Please check it.")
    if _wants_json():
        return {"error": "invalid_value", "message": message, "incident": incident}, 400
    return render_template("errors/error.html", code=400, message=message), 400


def install_input_guards(app: Flask) -> None:
    """Install the guards on `app`; call before any blueprint is registered (the URL
    converter applies to the rules added after it)."""
    app.request_class = GuardedRequest
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.extensions["huiwu_input_misses"] = []
    app.before_request(_refuse_unstorable_text)
    app.register_error_handler(InputRejected, _input_rejected)
    app.register_error_handler(DataError, refused_by_database)
