"""What every JSON API shares on the way in: the body read as a JSON object, checked against a
pydantic model, and refusals answered {"error": code, "message": text in the caller's language}.

The models live in each domain's schemas.py; the same models describe the API in the OpenAPI
document (app/openapi.py), so a limit is written once. A model is built once, at import: each
request only runs pydantic-core's compiled validator over the parsed body.

A field's refusal reads "<field>: <message>" (422 invalid_field). The message is, in order: the
one a validator of ours raised with `refuse`; the one a `Refusal` in the field's annotation
gives for any refusal of that field (ids, enums, patterns); the one for the kind of text error.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, TypeVar

from flask import jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field, ValidationError
from pydantic_core import PydanticCustomError
from werkzeug.exceptions import RequestEntityTooLarge

from app.extensions import INTEGER_MAX
from app.security.input import loads_request_json


class ApiError(Exception):
    """A request a JSON API refuses with a 4xx JSON answer."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def api_error_response(error: ApiError):
    """The JSON answer to a refused request."""
    return jsonify(error=error.code, message=error.message), error.status


class Refusal:
    """In a field's annotation: the one message for any refusal of that field."""

    def __init__(self, message) -> None:
        self.message = message


def refuse(message: str) -> PydanticCustomError:
    """The error a validator raises to refuse a value with `message` (already translated)."""
    return PydanticCustomError("refused", "{reason}", {"reason": message})


# An id an `integer` column holds (PostgreSQL): JSON booleans and floats are no ids.
DatabaseId = Annotated[
    int, Field(strict=True, ge=1, le=INTEGER_MAX), Refusal(_l("must be a positive integer"))
]
Model = TypeVar("Model", bound=BaseModel)
EventSlug = Annotated[str, Field(min_length=1, max_length=80, description="The event's slug")]


def json_body(limit: int) -> dict:
    """The request's JSON object; raises ApiError for a wrong type (415), size (413) or syntax
    (400). Text the database cannot store is InputRejected (400 invalid_characters)."""
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", _("Send the request as application/json."))
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "too_large", _("The request is too large."))
    request.max_content_length = limit
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise ApiError(413, "too_large", _("The request is too large.")) from None
    try:
        data = loads_request_json(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, "malformed_json", _("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", _("The request body must be a JSON object."))
    return data


@cache
def _refusals(model: type[BaseModel]) -> dict[str, Refusal]:
    return {
        name: refusal
        for name, field in model.model_fields.items()
        for refusal in field.metadata
        if isinstance(refusal, Refusal)
    }


def _text_message(error) -> str:
    if error["type"] == "string_too_long":
        return _("must have at most %(n)d characters", n=error["ctx"]["max_length"])
    if error["type"] == "string_too_short":
        return _("must not be empty")
    return _("must be a string")


def validate(model: type[Model], data: object) -> Model:
    """`data` as an instance of `model`; raises ApiError (422 invalid_field) naming the first
    refused field (an unknown field first, as a client sending one has the wrong version)."""
    try:
        return model.model_validate(data)
    except ValidationError as refused:
        errors = refused.errors(include_url=False)
    unknown = sorted(str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden")
    if unknown:
        raise ApiError(422, "invalid_field", f"{unknown[0][:40]}: {_('is not a known field')}")
    error = errors[0]
    field = str(error["loc"][0]) if error["loc"] else ""
    if error["type"] == "refused":
        message = error["ctx"]["reason"]
    elif field in _refusals(model):
        message = str(_refusals(model)[field].message)
    else:
        message = _text_message(error)
    raise ApiError(422, "invalid_field", f"{field}: {message}")
