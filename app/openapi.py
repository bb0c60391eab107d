"""The one OpenAPI document of Huiwu's JSON APIs, served at /api/openapi.json, generated from
the pydantic models that validate the requests.

Each API registers its part from its domain's init_app (`register_openapi_part`): its
operations, naming the request, query, path and response models of its schemas.py, and its
security schemes. This module turns
the models into JSON Schema with pydantic's own generator (OpenAPI 3.1 uses JSON Schema as it
is) and refuses two parts defining the same path or security scheme (two models of one name
are kept apart by pydantic).
tests/test_openapi_fuzz.py fuzzes every endpoint from this document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from flask import Blueprint, jsonify
from pydantic import BaseModel, Field
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from app.accounts.permissions import PUBLIC, requires
from app.jsonapi import ApiError, api_error_response

bp = Blueprint("openapi", __name__)
bp.app_errorhandler(ApiError)(api_error_response)

REF_TEMPLATE = "#/components/schemas/{model}"


class Error(BaseModel):
    """Every refusal of every API."""

    error: str = Field(description="machine-readable code")
    message: str = Field(description="text in the caller's language")


def schema_ref(model: type[BaseModel]) -> dict:
    """A reference to `model` in the document's components (list it in the part's `models`)."""
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


@dataclass(frozen=True)
class Operation:
    """One method on one path: its models, its answers other than 200 and who may call it."""

    summary: str
    response: type[BaseModel]
    response_description: str
    errors: Mapping[str, str]
    security: tuple[str, ...]
    path: type[BaseModel]
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None


@dataclass(frozen=True)
class OpenApiPart:
    """One API's part of the document: operations by path and method (OpenAPI's {name} path
    syntax), security schemes, and models referenced only through `schema_ref`."""

    tag: str
    description: str
    paths: Mapping[str, Mapping[str, Operation]]
    security_schemes: Mapping[str, dict]
    models: tuple[type[BaseModel], ...] = field(default=())


_parts: dict[str, OpenApiPart] = {}


def register_openapi_part(part: OpenApiPart) -> None:
    """Add (or replace, by tag) an API's part of the document."""
    _parts[part.tag] = part
    openapi_document.cache_clear()


def _merge(target: dict, part: Mapping, what: str) -> None:
    clash = set(target) & set(part)
    if clash:
        raise ValueError(f"{what} defined twice: {sorted(clash)}")
    target.update(part)


def _parameters(model: type[BaseModel] | None, location: str) -> list[dict]:
    if model is None:
        return []
    schema = model.model_json_schema(ref_template=REF_TEMPLATE)
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        parameter = {"name": name, "in": location, "required": name in required}
        if "description" in prop:
            parameter["description"] = prop["description"]
        parameter["schema"] = prop
        parameters.append(parameter)
    return parameters


def _json_content(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation(tag: str, operation: Operation, refs: Mapping) -> dict:
    error = refs[Error, "serialization"]
    described = {
        "tags": [tag],
        "summary": operation.summary,
        "parameters": _parameters(operation.path, "path") + _parameters(operation.query, "query"),
        "responses": {
            "200": _json_content(
                operation.response_description, refs[operation.response, "serialization"]
            ),
            **{
                status: _json_content(text, error)
                for status, text in sorted(operation.errors.items())
            },
        },
        "security": [{scheme: []} for scheme in operation.security],
    }
    if operation.body is not None:
        described["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[operation.body, "validation"]}},
        }
    return described


def _components(parts: list[OpenApiPart]) -> tuple[dict, dict]:
    """The JSON Schema reference of each (model, mode) the parts use, and the schemas."""
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {(Error, "serialization"): None}
    for part in parts:
        for model in part.models:
            wanted[model, "validation"] = None
        for operations in part.paths.values():
            for operation in operations.values():
                wanted[operation.response, "serialization"] = None
                if operation.body is not None:
                    wanted[operation.body, "validation"] = None
    refs, schemas = models_json_schema(list(wanted), ref_template=REF_TEMPLATE)
    return refs, schemas.get("$defs", {})


@cache
def openapi_document() -> dict:
    """The OpenAPI 3.1 document describing the JSON API endpoints of the registered parts."""
    parts = sorted(_parts.values(), key=lambda part: part.tag)
    refs, schemas = _components(parts)
    paths: dict = {}
    schemes: dict = {}
    for part in parts:
        part_paths = {
            path: {method: _operation(part.tag, op, refs) for method, op in operations.items()}
            for path, operations in part.paths.items()
        }
        _merge(paths, part_paths, "path")
        _merge(schemes, part.security_schemes, "security scheme")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Huiwu API",
            "version": "1.1.0",
            "description": "Check-in for scanners at the door (online and offline), and score "
            "sheets for judges' tablets. Errors are "
            '{"error": code, "message": text in the caller\'s language}.',
        },
        "tags": [{"name": part.tag, "description": part.description} for part in parts],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": schemes},
    }


@bp.route("/api/openapi.json")
@requires(PUBLIC)
def openapi_json():
    """The OpenAPI description of the JSON APIs (check-in and judging)."""
    return jsonify(openapi_document())
