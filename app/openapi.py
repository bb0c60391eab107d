"""The one OpenAPI document of Huiwu's JSON APIs, served at /api/openapi.json.

Each API describes its own part next to its views (app/checkin/openapi.py: the scanners' check-in
API; app/judging/openapi.py: the judges' tablet API); this module puts the parts together, with
the schemas every API shares, and refuses two parts defining the same path, schema or security
scheme. tests/test_openapi_fuzz.py fuzzes every endpoint from this document.
"""

from __future__ import annotations

from functools import cache

from flask import Blueprint, jsonify

from app.accounts.permissions import PUBLIC, requires

bp = Blueprint("openapi", __name__)

COMMON_SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "machine-readable code"},
            "message": {"type": "string", "description": "text in the caller's language"},
        },
    },
}


def _merge(target: dict, part: dict, what: str) -> None:
    clash = set(target) & set(part)
    if clash:
        raise ValueError(f"{what} defined twice: {sorted(clash)}")
    target.update(part)


@cache
def openapi_document() -> dict:
    """The OpenAPI 3.0 document describing every JSON API endpoint."""
    from app.checkin import openapi as checkin
    from app.judging import openapi as judging

    paths: dict = {}
    schemas: dict = dict(COMMON_SCHEMAS)
    schemes: dict = {}
    for tag, part in (("check-in", checkin), ("judging", judging)):
        part_paths = part.paths()
        for operations in part_paths.values():
            for operation in operations.values():
                operation.setdefault("tags", [tag])
        _merge(paths, part_paths, "path")
        _merge(schemas, part.SCHEMAS, "schema")
        _merge(schemes, part.SECURITY_SCHEMES, "security scheme")
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Huiwu API",
            "version": "1.1.0",
            "description": "Check-in for scanners at the door (online and offline), and score "
            "sheets for judges' tablets. Errors are "
            '{"error": code, "message": text in the caller\'s language}.',
        },
        "tags": [
            {"name": "check-in", "description": "Scanning ticket codes at the door"},
            {"name": "judging", "description": "Judges scoring entries on tablets"},
        ],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": schemes},
    }


@bp.route("/api/openapi.json")
@requires(PUBLIC)
def openapi_json():
    """The OpenAPI description of the JSON APIs (check-in and judging)."""
    return jsonify(openapi_document())
