"""POST /validate: upload a register, get the validation report (JSON, or HTML by Accept)."""

from __future__ import annotations

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response

from quanze.api.deps import SettingsDep
from quanze.graph.read.limits import OverLimit
from quanze.graph.read.text import UnreadableInput
from quanze.graph.validate.report import to_html, to_json
from quanze.graph.validate.shapes import validate_files

router = APIRouter(tags=["validate"])

MULTIPART_SLACK = 64 * 1024
"""Bytes a multipart body may hold beyond the file itself (boundaries, part headers, the field name)."""


class UploadLimit:
    """ASGI middleware: a POST /validate whose Content-Length is over the upload limit is
    answered 413 before a byte of the body is read (FastAPI parses the form before the route
    runs, so the route's own check comes too late for a huge body)."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].rstrip("/") == "/validate":
            length = dict(scope.get("headers") or []).get(b"content-length", b"")
            if length.strip().isdigit() and int(length) > self.max_bytes + MULTIPART_SLACK:
                response = JSONResponse(
                    {"error": f"the upload of {int(length)} bytes is larger than the limit of {self.max_bytes} bytes (QUANZE_MAX_UPLOAD_BYTES)"},
                    status_code=413,
                    headers={"Connection": "close"},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


@router.post(
    "/validate",
    summary="Validate a register",
    description="Multipart upload (field `file`) of a register in any format `quanze validate` reads. "
    "Answers the contract's JSON report, or an HTML page when the client accepts text/html. "
    "400: unreadable input; 413: larger than the upload limit (refused from Content-Length before the body is read) "
    "or over one of the reading limits (rows, cells, sheets, triples: see Limits in README.md).",
)
async def validate(
    request: Request,
    settings: SettingsDep,
    file: UploadFile = File(..., description="the register: CSV, TSV, XLSX, text, Turtle or JSON-LD"),
    lang: str = Query("zh", pattern="^(zh|en)$"),
) -> Response:
    data = await file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        return JSONResponse({"error": f"the file is larger than {settings.max_upload_bytes} bytes"}, status_code=413)
    name = file.filename or "upload.csv"
    try:
        report = await run_in_threadpool(validate_files, [(name, data)], lang)
    except OverLimit as error:
        return JSONResponse({"error": str(error)}, status_code=413)
    except UnreadableInput as error:
        return JSONResponse({"error": str(error)}, status_code=400)
    except MemoryError:
        return JSONResponse({"error": "the register is too large to validate here"}, status_code=413)
    wants_html = "text/html" in request.headers.get("accept", "") and "application/json" not in request.headers.get("accept", "")
    if wants_html:
        return HTMLResponse(to_html(report, lang))
    return Response(to_json(report), media_type="application/json")
