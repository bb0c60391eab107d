"""The judging API's part of the OpenAPI document (app/openapi.py assembles the one document
served at /api/openapi.json): the tablet's progress, score sheet read and save.

Limits come from the constants the services enforce (client id pattern, comment length, body
size), so the document and the validation cannot drift apart; tests/test_openapi_fuzz.py
fuzzes the endpoints from the document with a judge's session.
"""

from __future__ import annotations

from app.judging.api import MAX_BODY
from app.judging.scoring_services import CLIENT_ID_RE, MAX_COMMENT, MAX_DB_ID

BASE = "/api/events/{slug}/judging/rounds/{round_id}"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _id_parameter(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DB_ID},
    }


PARAMETERS = [
    {
        "name": "slug",
        "in": "path",
        "required": True,
        "description": "The event's slug",
        "schema": {"type": "string", "minLength": 1, "maxLength": 80},
    },
    _id_parameter("round_id", "The round"),
]
ENTRY = _id_parameter("entry_id", "The entry")
ERRORS = {
    "401": _error("Not signed in"),
    "403": _error("Not a judge of the event, or (sheets) not assigned to the entry or conflicted"),
    "404": _error("No such event or round"),
    "405": _error("Method not allowed"),
}

SCHEMAS = {
    "JudgingProgress": {
        "type": "object",
        "required": ["round_id", "assigned", "submitted"],
        "properties": {
            "round_id": {"type": "integer"},
            "assigned": {"type": "integer", "description": "entries the judge may score"},
            "submitted": {"type": "integer", "description": "of those, submitted and locked"},
        },
    },
    "ScoreSheet": {
        "type": "object",
        "required": ["entry_id", "status", "version", "values", "comment", "total"],
        "properties": {
            "entry_id": {"type": "integer"},
            "status": {
                "type": "string",
                "enum": ["new", "draft", "submitted"],
                "description": "new: nothing saved yet; submitted: locked until an organizer "
                "reopens it",
            },
            "version": {"type": "integer", "description": "bumped by every save"},
            "values": {
                "type": "object",
                "additionalProperties": {"type": "number"},
                "description": "criterion id → score",
            },
            "comment": {"type": "string"},
            "total": {
                "type": "number",
                "nullable": True,
                "description": "weighted total, 0–100",
            },
        },
    },
    "ScoreSave": {
        "type": "object",
        "required": ["client_id"],
        "properties": {
            "client_id": {
                "type": "string",
                "pattern": CLIENT_ID_RE.pattern,
                "description": "unique per save; a resend with the same id stores nothing",
            },
            "action": {"type": "string", "enum": ["draft", "submit"], "default": "draft"},
            "values": {
                "type": "object",
                "additionalProperties": {"type": "number", "nullable": True},
                "description": "criterion id → score within the criterion's range and step; "
                "a draft may carry only the changed ones, a submit needs all",
            },
            "comment": {"type": "string", "maxLength": MAX_COMMENT},
        },
    },
    "ScoreSaveResult": {
        "allOf": [
            _ref("ScoreSheet"),
            {
                "type": "object",
                "required": ["duplicate"],
                "properties": {
                    "duplicate": {
                        "type": "boolean",
                        "description": "true: a resend of a save already stored",
                    }
                },
            },
        ]
    },
}


def paths() -> dict:
    """The judging endpoints, by path."""
    security = [{"judgeSession": []}]
    return {
        f"{BASE}/": {
            "get": {
                "summary": "The judge's progress in a round",
                "parameters": PARAMETERS,
                "security": security,
                "responses": {"200": _json("Progress", _ref("JudgingProgress")), **ERRORS},
            }
        },
        f"{BASE}/sheets/{{entry_id}}": {
            "get": {
                "summary": "The judge's score sheet for an assigned entry",
                "parameters": [*PARAMETERS, ENTRY],
                "security": security,
                "responses": {"200": _json("The sheet", _ref("ScoreSheet")), **ERRORS},
            },
            "post": {
                "summary": "Save a draft, or submit and lock the sheet (idempotent by client id)",
                "parameters": [*PARAMETERS, ENTRY],
                "security": security,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("ScoreSave")}},
                },
                "responses": {
                    "200": _json("The sheet after the save", _ref("ScoreSaveResult")),
                    "400": _error(
                        "Malformed JSON, not an object, or a missing CSRF token (X-CSRFToken)"
                    ),
                    **ERRORS,
                    "409": _error("The sheet is submitted and locked"),
                    "413": _error(f"The body is larger than {MAX_BODY} bytes"),
                    "415": _error("The body is not application/json"),
                    "422": _error(
                        "Unknown criterion, not a number, out of range or off step, incomplete "
                        "submit, bad action, comment or client id"
                    ),
                },
            },
        },
    }


SECURITY_SCHEMES = {
    "judgeSession": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": "A signed-in judge's session (the tablet); POSTs must also send the CSRF "
        "token in the X-CSRFToken header.",
    }
}
