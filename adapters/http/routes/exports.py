"""The ledger as a download, for managers: CSV or JSON lines streamed from one snapshot (the
whole window by default), or a page of ``limit`` entries with the next page's link in a
``Link: <...>; rel="next"`` header. Entries are recorded in [from, to), by account and seq."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime

from adapters.export_formats import MEDIA_TYPES, Format, encoded
from adapters.http.dependencies import Manager
from adapters.http.problems import ProblemError, problem_responses
from ports.exports import Dataset, ExportQuery, Exports

router = APIRouter(prefix="/v1/exports", tags=["exports"])
MAX_PAGE = 100_000
MAX_CURSOR = 120
_CURSOR_KIND = "ledger-export"


async def export_source(request: Request) -> Exports:
    found: Exports = request.app.state.exports
    return found


Source = Annotated[Exports, Depends(export_source)]
ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The entries: CSV with a header row, or one JSON object per line (the"
        " loyalty.ledger message fields).",
        "content": {
            media.split(";")[0]: {"schema": {"type": "string"}} for media in MEDIA_TYPES.values()
        },
        "headers": {
            "Link": {
                "description": 'With `limit`, when more entries follow: `<url>; rel="next"`.',
                "schema": {"type": "string"},
            }
        },
    },
    **problem_responses(400, 401, 403, 422),
}


def cursor_of(key: tuple[UUID, int]) -> str:
    raw = json.dumps([_CURSOR_KIND, str(key[0]), key[1]], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def key_of(cursor: str) -> tuple[UUID, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, account, seq = json.loads(base64.b64decode(padded, altchars=b"-_", validate=True))
        if kind != _CURSOR_KIND or not isinstance(seq, int) or isinstance(seq, bool):
            raise ValueError(cursor)
        return UUID(account), seq
    except (binascii.Error, UnicodeError, ValueError, TypeError, AttributeError) as error:
        raise ProblemError(
            400,
            "invalid_cursor",
            "This page link is not valid any more; start again from the first page.",
        ) from error


@router.get("/ledger", responses=ANSWERS, response_class=StreamingResponse)
async def ledger(
    principal: Manager,
    exports: Source,
    request: Request,
    from_: Annotated[
        AwareDatetime | None,
        Query(alias="from", description="Recorded at or after (ISO 8601 with an offset)."),
    ] = None,
    to: Annotated[
        AwareDatetime | None, Query(description="Recorded before (ISO 8601 with an offset).")
    ] = None,
    form: Annotated[
        Literal["csv", "jsonl"],
        Query(alias="format", description="csv or jsonl (parquet: `loyalty export`)."),
    ] = "jsonl",
    limit: Annotated[
        int | None, Query(ge=1, le=MAX_PAGE, description="Entries per page (none: all).")
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=MAX_CURSOR, description="From the `next` link.")
    ] = None,
) -> StreamingResponse:
    """The caller's business's ledger entries recorded in [from, to), by account and seq."""
    format = Format(form)
    if from_ is not None and to is not None and from_ >= to:
        raise ProblemError(400, "invalid_request", "`from` must be before `to`.")
    after = None if cursor is None else key_of(cursor)
    query = ExportQuery(Dataset.LEDGER, principal.business_id, from_, to, after, limit)
    headers = {"Content-Disposition": f'attachment; filename="ledger.{format.value}"'}
    last = await exports.last_key(query)
    if last is not None:
        following = request.url.include_query_params(cursor=cursor_of(last))
        headers["Link"] = f'<{following}>; rel="next"'
    columns = exports.columns(Dataset.LEDGER)
    body = encoded(exports.batches(query, format.rendering), columns, format)
    return StreamingResponse(body, media_type=MEDIA_TYPES[format], headers=headers)
