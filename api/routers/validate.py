"""POST /validate: upload a register, get the validation report (JSON, or HTML by Accept)."""

from __future__ import annotations

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response

from quanze.api.deps import SettingsDep
from quanze.graph.read.text import UnreadableInput
from quanze.graph.validate.report import to_html, to_json
from quanze.graph.validate.shapes import validate_files

router = APIRouter(tags=["validate"])


@router.post(
    "/validate",
    summary="Validate a register",
    description="Multipart upload (field `file`) of a register in any format `quanze validate` reads. "
    "Answers the contract's JSON report, or an HTML page when the client accepts text/html. "
    "400: unreadable input; 413: larger than the upload limit.",
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
    except UnreadableInput as error:
        return JSONResponse({"error": str(error)}, status_code=400)
    wants_html = "text/html" in request.headers.get("accept", "") and "application/json" not in request.headers.get("accept", "")
    if wants_html:
        return HTMLResponse(to_html(report, lang))
    return Response(to_json(report), media_type="application/json")
