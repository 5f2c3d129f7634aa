"""POST /validate: upload a register, get a report a clerk can act on.

JSON (the contract's keys, plus where each problem is — sheet, Excel row, column, cell — and
what to change), or an HTML page in the site's layout when the client accepts text/html, or
`format=csv|xlsx` (the register itself with the problem cells highlighted and commented).
The report page links to the other formats of the same upload, kept a short while in memory.
Upload errors are a page in the user's language for browsers, JSON for programs.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from quanze.api.deps import SettingsDep
from quanze.api.services.negotiation import wants_html
from quanze.graph.query.spreadsheet import content_disposition
from quanze.graph.read.flowchart import FlowchartError
from quanze.graph.read.table import NoHeader
from quanze.graph.read.text import UnreadableInput
from quanze.graph.validate import clerk
from quanze.graph.validate.shapes import validate_files

router = APIRouter(tags=["validate"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_ERRORS = {
    "zh": {"too_large": "文件超过 {n} 字节的上传上限。", "unreadable": "无法读取该文件。", "no_header": "文件中没有找到清单的表头。",
           "hint": "请上传 CSV、XLSX、TSV、文本或 Turtle 格式的权责清单；表头须有“序号、权力类型、事项名称、实施依据”等列名。可从模板开始填写。",
           "flowchart": "无法读取风险防控图。"},
    "en": {"too_large": "The file is larger than the upload limit of {n} bytes.", "unreadable": "The file cannot be read.",
           "no_header": "No register header was found in the file.",
           "hint": "Upload a register as CSV, XLSX, TSV, text or Turtle; its header needs columns such as 序号, 权力类型, 事项名称, 实施依据. Start from the template.",
           "flowchart": "The risk-control flowchart cannot be read."},
}


class _Uploads:
    """The last few uploads (name, bytes), so the report page can offer its other formats."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self.items: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self.lock = threading.Lock()

    def put(self, name: str, data: bytes) -> str:
        token = hashlib.sha256(name.encode() + b"\0" + data).hexdigest()[:24]
        with self.lock:
            self.items[token] = (name, data)
            self.items.move_to_end(token)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return token

    def get(self, token: str) -> tuple[str, bytes] | None:
        with self.lock:
            return self.items.get(token)


def _uploads(request: Request) -> _Uploads:
    if not hasattr(request.app.state, "uploads"):
        request.app.state.uploads = _Uploads()
    return request.app.state.uploads


def _upload_error(request: Request, status: int, kind: str, detail: str, lang: str, limit: int = 0) -> Response:
    words = UPLOAD_ERRORS[lang]
    message = words[kind].format(n=limit)
    if wants_html(request.headers.get("accept")):
        from quanze.api.routers.errors import error_page

        return error_page(request, status, lang, f"{message} {words['hint']}" + (f" （{detail}）" if lang == "zh" and detail else f" ({detail})" if detail else ""))
    return JSONResponse({"error": detail or message, "message": message}, status_code=status)


def _answer(request: Request, report: clerk.ClerkReport, files: list[tuple[str, bytes]], fmt: str, lang: str, token: str) -> Response:
    stem = Path(files[0][0]).stem
    if fmt == "csv":
        return Response(clerk.to_csv(report).encode("utf-8"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": content_disposition(f"{stem}-校验报告.csv" if lang == "zh" else f"{stem}-report.csv")})
    if fmt == "xlsx":
        return Response(clerk.to_xlsx(report, files), media_type=XLSX,
                        headers={"Content-Disposition": content_disposition(f"{stem}-校验标注.xlsx" if lang == "zh" else f"{stem}-annotated.xlsx")})
    if fmt == "html":
        from quanze.api.routers.pages import render

        texts = clerk.WORDS[lang]
        counts = report.severity_counts()
        return render(request, "validation_report.html", lang, title=files[0][0], r=report, w=texts, counts=counts, token=token,
                      files=[name for name, _ in files], items=sum(report.report.items.values()))
    return Response(clerk.to_json(report), media_type="application/json")


async def _report(files: list[tuple[str, bytes]], lang: str) -> clerk.ClerkReport:
    def run() -> clerk.ClerkReport:
        return clerk.build(validate_files(files, lang), files, lang)

    return await run_in_threadpool(run)


@router.post(
    "/validate",
    summary="Validate a register",
    description="Multipart upload (field `file`) of a register in any format `quanze validate` reads. "
    "Answers the contract's JSON report — each result with the contract's keys plus `sheet`, `excel_row`, `column` (its header), "
    "`column_letter`, `cell` (the value), `advice` (what to change), `rule` and `count`, and `rules` (counts per rule) — "
    "or an HTML page when the client accepts text/html, or `format=csv|xlsx` (the register with the problem cells highlighted "
    "and commented). 400: unreadable input; 413: larger than the upload limit.",
)
async def validate(
    request: Request,
    settings: SettingsDep,
    file: UploadFile = File(..., description="the register: CSV, TSV, XLSX, text, Turtle or JSON-LD"),
    lang: str = Query("zh", pattern="^(zh|en)$"),
    format: str | None = Query(None, pattern="^(json|html|csv|xlsx)$", description="report format (default: by Accept)"),
    form_format: str | None = Form(None, alias="report_format", pattern="^(json|html|csv|xlsx)$", include_in_schema=False),
) -> Response:
    data = await file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        return _upload_error(request, 413, "too_large", "", lang, settings.max_upload_bytes)
    name = Path(file.filename or "upload.csv").name
    files = [(name, data)]
    try:
        report = await _report(files, lang)
    except (UnreadableInput, NoHeader, FlowchartError) as error:
        kind = "no_header" if isinstance(error, NoHeader) else "flowchart" if isinstance(error, FlowchartError) else "unreadable"
        return _upload_error(request, 400, kind, str(error), lang)
    fmt = format or form_format or ("html" if wants_html(request.headers.get("accept")) else "json")
    token = _uploads(request).put(name, data)
    return _answer(request, report, files, fmt, lang, token)


@router.get("/validate/report/{token}", include_in_schema=False)
async def report_again(request: Request, token: str, lang: str = Query("zh", pattern="^(zh|en)$"),
                       format: str = Query("html", pattern="^(json|html|csv|xlsx)$")) -> Response:
    """Another format of a recent upload's report (the report page's download links)."""
    upload = _uploads(request).get(token)
    if upload is None:
        from quanze.api.routers.errors import error_page

        detail = "报告已过期，请重新上传清单。" if lang == "zh" else "This report has expired: upload the register again."
        return error_page(request, 404, lang, detail)
    files = [upload]
    report = await _report(files, lang)
    return _answer(request, report, files, format, lang, token)
