"""The judging API's contract: the tablet's score-sheet save, the sheet and the progress it reads,
and the API's part of the OpenAPI document (app/openapi.py generates it from these models).

The API itself checks only the action: the client id, the comment and the values are checked
by save_sheet (scoring_services), against the round's criteria and after the judge's right to
score the entry, so the models describe those fields from the same constants without checking
them a second time.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from app.jsonapi import DatabaseId, EventSlug
from app.judging.scoring_services import CLIENT_ID_RE, MAX_COMMENT
from app.openapi import OpenApiPart, Operation

MAX_BODY = 32 * 1024


def _client_id_required(schema: dict) -> None:
    # Required in the document; a save without one is refused by save_sheet (bad_client_id).
    schema["required"] = ["client_id"]
    del schema["properties"]["client_id"]["default"]


class ScoreSave(BaseModel):
    model_config = ConfigDict(json_schema_extra=_client_id_required)

    client_id: Annotated[
        Any,
        WithJsonSchema(
            {
                "type": "string",
                "pattern": CLIENT_ID_RE.pattern,
                "description": "unique per save; a resend with the same id stores nothing",
            }
        ),
    ] = None
    action: Literal["draft", "submit"] = "draft"
    values: Annotated[
        Any,
        WithJsonSchema(
            {
                "type": "object",
                "additionalProperties": {"anyOf": [{"type": "number"}, {"type": "null"}]},
                "description": "criterion id → score within the criterion's range and step; "
                "a draft may carry only the changed ones, a submit needs all",
            }
        ),
    ] = Field(default_factory=dict)
    comment: Annotated[Any, WithJsonSchema({"type": "string", "maxLength": MAX_COMMENT})] = ""


class RoundPath(BaseModel):
    slug: EventSlug
    round_id: Annotated[DatabaseId, Field(description="The round")]


class SheetPath(RoundPath):
    entry_id: Annotated[DatabaseId, Field(description="The entry")]


class JudgingProgress(BaseModel):
    round_id: int
    assigned: int = Field(description="entries the judge may score")
    submitted: int = Field(description="of those, submitted and locked")


class ScoreSheet(BaseModel):
    entry_id: int
    status: Literal["new", "draft", "submitted"] = Field(
        description="new: nothing saved yet; submitted: locked until an organizer reopens it"
    )
    version: int = Field(description="bumped by every save")
    values: dict[str, float] = Field(description="criterion id → score")
    comment: str
    total: float | None = Field(description="weighted total, 0–100")


class ScoreSaveResult(ScoreSheet):
    duplicate: bool = Field(description="true: a resend of a save already stored")


ERRORS = {
    "401": "Not signed in",
    "403": "Not a judge of the event, or (sheets) not assigned to the entry or conflicted",
    "404": "No such event or round",
    "405": "Method not allowed",
}
SAVE_ERRORS = {
    **ERRORS,
    "400": "Malformed JSON, not an object, or a missing CSRF token (X-CSRFToken)",
    "409": "The sheet is submitted and locked",
    "413": f"The body is larger than {MAX_BODY} bytes",
    "415": "The body is not application/json",
    "422": "Unknown criterion, not a number, out of range or off step, incomplete submit, bad "
    "action, comment or client id",
}
SECURITY = ("judgeSession",)
BASE = "/api/events/{slug}/judging/rounds/{round_id}"

OPENAPI_PART = OpenApiPart(
    tag="judging",
    description="Judges scoring entries on tablets",
    paths={
        f"{BASE}/": {
            "get": Operation(
                "The judge's progress in a round",
                JudgingProgress,
                "Progress",
                ERRORS,
                SECURITY,
                RoundPath,
            )
        },
        f"{BASE}/sheets/{{entry_id}}": {
            "get": Operation(
                "The judge's score sheet for an assigned entry",
                ScoreSheet,
                "The sheet",
                ERRORS,
                SECURITY,
                SheetPath,
            ),
            "post": Operation(
                "Save a draft, or submit and lock the sheet (idempotent by client id)",
                ScoreSaveResult,
                "The sheet after the save",
                SAVE_ERRORS,
                SECURITY,
                SheetPath,
                body=ScoreSave,
            ),
        },
    },
    security_schemes={
        "judgeSession": {
            "type": "apiKey",
            "in": "cookie",
            "name": "session",
            "description": "A signed-in judge's session (the tablet); POSTs must also send the "
            "CSRF token in the X-CSRFToken header.",
        }
    },
)
