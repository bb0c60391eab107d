"""The check-in API's part of the OpenAPI document (app/openapi.py assembles the one document
served at /api/openapi.json): its paths, schemas and security schemes.

Limits come from the same constants the views enforce, so the document and the validation
cannot drift apart; tests/test_openapi_fuzz.py fuzzes the API from the document.
"""

from __future__ import annotations

STATUSES = [
    "ok",
    "already_checked_in",
    "not_checked_in",
    "invalid",
    "revoked",
    "not_confirmed",
    "wrong_event",
    "wrong_list",
    "outside_window",
]
MAX_ID = 2**31 - 1
NONCE_PATTERN = "^[\\x21-\\x7e]{1,64}$"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }


def _json_response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


COMMON_ERRORS = {
    "400": _error_response("Malformed JSON, or a missing CSRF token on a session POST"),
    "401": _error_response("No valid device token or session"),
    "403": _error_response("The token or user has no access to this event"),
    "404": _error_response("No such event, list or check-in"),
    "405": _error_response("Method not allowed"),
    "422": _error_response("A field is missing, of the wrong type or out of range"),
}
BODY_ERRORS = {
    "413": _error_response("The request body is too large"),
    "415": _error_response("The request body is not application/json"),
}

SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "The event's slug",
    "schema": {"type": "string", "minLength": 1, "maxLength": 80},
}
LIST_ID_QUERY = {
    "name": "list_id",
    "in": "query",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
}

# "Error" is shared by every API (app/openapi.py).
SCHEMAS = {
    "Person": {
        "type": "object",
        "nullable": True,
        "required": [
            "id",
            "native_name",
            "latin_name",
            "organization",
            "category",
            "category_color",
        ],
        "properties": {
            "id": {"type": "integer"},
            "native_name": {"type": "string"},
            "latin_name": {"type": "string"},
            "organization": {"type": "string"},
            "category": {"type": "string"},
            "category_color": {"type": "string"},
        },
    },
    "RedeemRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["code", "list_id", "station", "nonce"],
        "properties": {
            "code": {"type": "string", "minLength": 1, "maxLength": 200},
            "list_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "station": {
                "type": "string",
                "minLength": 1,
                "maxLength": 60,
                "pattern": "^[^\\x00-\\x1f\\x7f]*\\S[^\\x00-\\x1f\\x7f]*$",
            },
            "nonce": {"type": "string", "pattern": NONCE_PATTERN},
            "scanned_at": {
                "type": "string",
                "format": "date-time",
                "description": "the client's scan time; within a year before and a day after "
                "the server's clock",
            },
            "kind": {"type": "string", "enum": ["entry", "exit"], "default": "entry"},
        },
    },
    "ScanResult": {
        "type": "object",
        "required": [
            "status",
            "message",
            "registration",
            "first_checkin",
            "checkin_id",
            "conflict",
        ],
        "properties": {
            "status": {"type": "string", "enum": STATUSES},
            "message": {"type": "string"},
            "registration": _ref("Person"),
            "first_checkin": {
                "type": "object",
                "nullable": True,
                "required": ["at", "station"],
                "properties": {
                    "at": {"type": "string", "format": "date-time"},
                    "station": {"type": "string"},
                },
            },
            "checkin_id": {"type": "integer", "nullable": True},
            "conflict": {
                "type": "boolean",
                "description": "an offline scan of a code another station had checked in",
            },
        },
    },
    "UndoRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["checkin_id", "station"],
        "properties": {
            "checkin_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "station": {"type": "string", "minLength": 1, "maxLength": 60},
        },
    },
    "CheckinList": {
        "type": "object",
        "required": ["id", "name", "category_ids", "starts_at", "ends_at", "track_exits"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "category_ids": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "empty: all categories",
            },
            "starts_at": {"type": "string", "format": "date-time", "nullable": True},
            "ends_at": {"type": "string", "format": "date-time", "nullable": True},
            "track_exits": {"type": "boolean"},
        },
    },
    "OfflineScan": {
        "type": "object",
        "additionalProperties": False,
        "required": ["code", "list_id", "nonce", "scanned_at"],
        "properties": {
            "code": {"type": "string", "minLength": 1, "maxLength": 200},
            "list_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "nonce": {"type": "string", "pattern": NONCE_PATTERN},
            "scanned_at": {"type": "string", "format": "date-time"},
            "kind": {"type": "string", "enum": ["entry", "exit"], "default": "entry"},
        },
    },
    "SyncRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["station", "scans"],
        "properties": {
            "station": {"type": "string", "minLength": 1, "maxLength": 60},
            "scans": {"type": "array", "maxItems": 500, "items": _ref("OfflineScan")},
        },
    },
    "SyncAnswer": {
        "type": "object",
        "required": ["nonce"],
        "description": "either the fields of a ScanResult, or error and message",
        "properties": {
            "nonce": {"type": "string", "nullable": True},
            "error": {"type": "string"},
            "message": {"type": "string"},
            "status": {"type": "string", "enum": STATUSES},
            "registration": _ref("Person"),
            "first_checkin": {"type": "object", "nullable": True},
            "checkin_id": {"type": "integer", "nullable": True},
            "conflict": {"type": "boolean"},
        },
    },
}


def _operation(summary: str, response: dict, body: str | None = None, query=None) -> dict:
    operation = {
        "summary": summary,
        "parameters": [SLUG, *(query or [])],
        "responses": {"200": response, **COMMON_ERRORS},
        "security": [{"deviceToken": []}, {"staffSession": []}],
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(body)}},
        }
        operation["responses"].update(BODY_ERRORS)
        operation["responses"]["409"] = _error_response(
            "Refused: nonce_reused, too_late, other_station, already_undone, not_undoable"
        )
    return operation


SECURITY_SCHEMES = {
    "deviceToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "A device token an organizer created for one event "
        "(shown once, revocable). No CSRF token needed.",
    },
    "staffSession": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": "A signed-in check-in staff or organizer session; POSTs "
        "must also send the CSRF token in the X-CSRFToken header.",
    },
}


def paths() -> dict:
    """The check-in endpoints, by path."""
    base = "/api/events/{slug}/checkin"
    search_result = {
        "type": "object",
        "required": ["results"],
        "properties": {
            "results": {
                "type": "array",
                "maxItems": 20,
                "items": {
                    "type": "object",
                    "required": ["id", "native_name", "state", "checked_in_at", "ticket_code"],
                    "properties": {
                        "id": {"type": "integer"},
                        "native_name": {"type": "string"},
                        "latin_name": {"type": "string"},
                        "organization": {"type": "string"},
                        "category": {"type": "string"},
                        "category_color": {"type": "string"},
                        "state": {"type": "string"},
                        "checked_in_at": {
                            "type": "string",
                            "format": "date-time",
                            "nullable": True,
                        },
                        "ticket_code": {"type": "string"},
                    },
                },
            }
        },
    }
    offline = {
        "type": "object",
        "required": ["list", "key", "revocations", "people", "categories", "checked_in"],
        "properties": {
            "list": _ref("CheckinList"),
            "event_id": {"type": "integer"},
            "key": {"type": "string", "description": "base64 of the event's ticket key"},
            "revocations": {
                "type": "array",
                "items": {"type": "array", "items": {"type": "integer"}},
                "description": "[registration_id, serial] pairs",
            },
            "people": {"type": "object", "additionalProperties": {"type": "object"}},
            "categories": {"type": "object", "additionalProperties": {"type": "object"}},
            "admitted_category_ids": {
                "type": "array",
                "items": {"type": "integer"},
                "nullable": True,
            },
            "checked_in": {"type": "array", "items": {"type": "integer"}},
            "generated_at": {"type": "string", "format": "date-time"},
        },
    }
    stats = {
        "type": "object",
        "required": ["list_id", "checked_in", "expected", "per_category"],
        "properties": {
            "list_id": {"type": "integer"},
            "checked_in": {"type": "integer"},
            "expected": {"type": "integer"},
            "per_category": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["category_id", "name", "checked_in", "expected"],
                    "properties": {
                        "category_id": {"type": "integer"},
                        "name": {"type": "string"},
                        "color": {"type": "string"},
                        "checked_in": {"type": "integer"},
                        "expected": {"type": "integer"},
                    },
                },
            },
        },
    }
    q = {
        "name": "q",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "maxLength": 100},
    }
    return {
        f"{base}/lists": {
            "get": _operation(
                "The event's check-in lists",
                _json_response(
                    "Lists",
                    {
                        "type": "object",
                        "required": ["lists"],
                        "properties": {"lists": {"type": "array", "items": _ref("CheckinList")}},
                    },
                ),
            )
        },
        f"{base}/redeem": {
            "post": _operation(
                "Redeem a scanned code on a list (idempotent by nonce)",
                _json_response("The answer to the scan", _ref("ScanResult")),
                body="RedeemRequest",
            )
        },
        f"{base}/undo": {
            "post": _operation(
                "Undo a check-in from the same station within 5 minutes",
                _json_response(
                    "Undone",
                    {
                        "type": "object",
                        "required": ["status"],
                        "properties": {
                            "status": {"type": "string", "enum": ["undone"]},
                            "message": {"type": "string"},
                        },
                    },
                ),
                body="UndoRequest",
            )
        },
        f"{base}/search": {
            "get": _operation(
                "Search registrations of a list by name, organization, phone or email",
                _json_response("Up to 20 registrations", search_result),
                query=[LIST_ID_QUERY, q],
            )
        },
        f"{base}/offline": {
            "get": _operation(
                "Data for offline scanning: key, revocations, names, categories",
                _json_response("Offline data", offline),
                query=[LIST_ID_QUERY],
            )
        },
        f"{base}/sync": {
            "post": _operation(
                "Upload scans recorded offline; each keeps its original time",
                _json_response(
                    "One answer per scan, in order",
                    {
                        "type": "object",
                        "required": ["results"],
                        "properties": {"results": {"type": "array", "items": _ref("SyncAnswer")}},
                    },
                ),
                body="SyncRequest",
            )
        },
        f"{base}/stats": {
            "get": _operation(
                "Checked in vs expected on a list, per category",
                _json_response("Counters", stats),
                query=[LIST_ID_QUERY],
            )
        },
    }
