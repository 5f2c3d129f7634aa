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
from fastapi.responses import JSONResponse, Response

from quanze.api.deps import SettingsDep
from quanze.api.gate import has_body, wants_english
from quanze.api.validation_pool import ValidationFailed, ValidationMemory, ValidationPool, ValidationTimeout
from quanze.api.services.negotiation import wants_html
from quanze.graph.query.spreadsheet import content_disposition
from quanze.graph.read.flowchart import FlowchartError
from quanze.graph.read.table import NoHeader
from quanze.graph.read.limits import OverLimit
from quanze.graph.read.text import UnreadableInput
from quanze.graph.validate import clerk

router = APIRouter(tags=["validate"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_ERRORS = {
    "zh": {"too_large": "文件超过 {n} 字节的上传上限。", "unreadable": "无法读取该文件。", "no_header": "文件中没有找到清单的表头。",
           "hint": "请上传 CSV、XLSX、TSV、文本或 Turtle 格式的权责清单；表头须有“序号、权力类型、事项名称、实施依据”等列名。可从模板开始填写。",
           "flowchart": "无法读取风险防控图。", "memory": "校验该清单所需内存超过上限（QUANZE_VALIDATION_MEMORY），已停止。请拆分清单后分别上传。",
           "timeout": "校验时间超过上限（QUANZE_VALIDATION_TIMEOUT），已停止。请拆分清单后分别上传，或稍后重试。",
           "failed": "校验服务暂时出错，请稍后重试。"},
    "en": {"too_large": "The file is larger than the upload limit of {n} bytes.", "unreadable": "The file cannot be read.",
           "no_header": "No register header was found in the file.",
           "hint": "Upload a register as CSV, XLSX, TSV, text or Turtle; its header needs columns such as 序号, 权力类型, 事项名称, 实施依据. Start from the template.",
           "flowchart": "The risk-control flowchart cannot be read.",
           "memory": "Validating this register needs more memory than allowed (QUANZE_VALIDATION_MEMORY); it was stopped. Split the register and upload the parts.",
           "timeout": "The validation took longer than allowed (QUANZE_VALIDATION_TIMEOUT); it was stopped. Split the register, or retry later.",
           "failed": "The validation service failed for a moment; retry shortly."},
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


async def _report(request: Request, files: list[tuple[str, bytes]], lang: str) -> clerk.ClerkReport:
    """The report, from a validation worker process (time and memory capped: api/validation_pool.py)."""
    return await validation_pool(request.app).validate(files, lang)

MULTIPART_SLACK = 64 * 1024
"""Bytes a multipart body may hold beyond the file itself (boundaries, part headers, the field name)."""

GATE_WORDS = {
    "zh": {"too_large": "上传的 {n} 字节超过 {limit} 字节的上限（QUANZE_MAX_UPLOAD_BYTES）。",
           "streamed": "上传内容超过 {limit} 字节的上限（QUANZE_MAX_UPLOAD_BYTES），已停止接收。",
           "busy": "校验服务繁忙（同时最多 {n} 个校验），请稍后重试。"},
    "en": {"too_large": "the upload of {n} bytes is larger than the limit of {limit} bytes (QUANZE_MAX_UPLOAD_BYTES)",
           "streamed": "the upload is larger than the limit of {limit} bytes (QUANZE_MAX_UPLOAD_BYTES); the rest was not read",
           "busy": "the validation service is busy (at most {n} validations at once); retry shortly"},
}


class _UploadTooLarge(Exception):
    """The body passed the upload limit while it streamed in."""


def validation_pool(app) -> ValidationPool:
    """The app's pool of validation workers (made on first use where the lifespan did not make one)."""
    pool = getattr(app.state, "validation_pool", None)
    if pool is None:
        pool = app.state.validation_pool = ValidationPool.from_settings(app.state.settings)
    return pool


def _is_validation(scope) -> tuple[bool, bool]:
    """(runs a validation, carries an upload): POST /validate, or another format of a recent upload."""
    path = scope["path"]
    if scope["method"] == "POST" and path.rstrip("/") == "/validate":
        return True, True
    return scope["method"] in ("GET", "HEAD") and path.startswith("/validate/report/"), False


async def _refuse(send, status: int, words: dict[str, str], kind: str, close: bool, retry_after: int | None = None, **values) -> None:
    """JSON as the route answers: `error` in English (for programs, as before), `message` in the client's language."""
    import json

    body = json.dumps({"error": GATE_WORDS["en"][kind].format(**values), "message": words[kind].format(**values)},
                      ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store")]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class UploadLimit:
    """ASGI middleware in front of the validation routes, before FastAPI parses the form:

    - a Content-Length over the upload limit → 413 before a byte of the body is read;
    - a body that passes the limit while it streams in (chunked, or a lying Content-Length)
      → 413 as soon as it does; the rest is not read and the connection is closed;
    - every validation slot of this process taken (running or waiting) → 503 with Retry-After
      at once, before the body is read.

    Answers are JSON: `message` in Chinese, or English for `lang=en` / `Accept-Language: en`;
    `error` in English for programs.
    """

    def __init__(self, app, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        validates, upload = _is_validation(scope)
        if not validates:
            await self.app(scope, receive, send)
            return
        words = GATE_WORDS["en" if wants_english(scope) else "zh"]
        limit = self.max_bytes + MULTIPART_SLACK
        if upload:
            length = dict(scope.get("headers") or []).get(b"content-length", b"")
            if length.strip().isdigit() and int(length) > limit:
                await _refuse(send, 413, words, "too_large", close=True, n=int(length), limit=self.max_bytes)
                return
        pool = validation_pool(scope["app"]) if "app" in scope else None  # no app: a bare ASGI test, nothing to admit to
        if pool is not None and not pool.admit():
            await _refuse(send, 503, words, "busy", close=upload and has_body(scope), retry_after=2, n=pool.slots)
            return
        try:
            if not upload:
                await self.app(scope, receive, send)
                return
            await self._counted(scope, receive, send, limit, words)
        finally:
            if pool is not None:
                pool.leave()

    async def _counted(self, scope, receive, send, limit: int, words: dict[str, str]) -> None:
        state = {"received": 0, "over": False, "started": False}

        async def counted_receive():
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["over"] = True
                    raise _UploadTooLarge()
            return message

        async def guarded_send(message) -> None:
            if state["over"]:
                return  # whatever the app answers to its failed read, the 413 below replaces it
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except _UploadTooLarge:
            pass
        except Exception:
            if not state["over"]:
                raise
        if state["over"] and not state["started"]:
            await _refuse(send, 413, words, "streamed", close=True, limit=self.max_bytes)


@router.post(
    "/validate",
    summary="Validate a register",
    description="Multipart upload (field `file`) of a register in any format `quanze validate` reads. "
    "Answers the contract's JSON report — each result with the contract's keys plus `sheet`, `excel_row`, `column` (its header), "
    "`column_letter`, `cell` (the value), `advice` (what to change), `rule` and `count`, and `rules` (counts per rule) — "
    "or an HTML page when the client accepts text/html, or `format=csv|xlsx` (the register with the problem cells highlighted "
    "and commented). 400: unreadable input; 413: larger than the upload limit (refused from Content-Length before the body is read, "
    "or as soon as a streamed body passes it) "
    "or over one of the reading limits (rows, cells, sheets, triples: see Limits in README.md), or needing more memory to validate "
    "than QUANZE_VALIDATION_MEMORY; 503: every validation slot taken (with Retry-After, before the body is read), or the "
    "validation ran past QUANZE_VALIDATION_TIMEOUT (its worker process is replaced).",
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
        report = await _report(request, files, lang)
    except OverLimit as error:
        return _upload_error(request, 413, "too_large", str(error), lang)
    except (MemoryError, ValidationMemory) as error:
        return _upload_error(request, 413, "memory", str(error) if isinstance(error, ValidationMemory) else "", lang)
    except ValidationTimeout as error:
        return _upload_error(request, 503, "timeout", str(error), lang)
    except ValidationFailed as error:
        return _upload_error(request, 503, "failed", str(error), lang)
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
    try:
        report = await _report(request, files, lang)
    except (ValidationMemory, ValidationTimeout, ValidationFailed, UnreadableInput) as error:
        from quanze.api.routers.errors import error_page

        status = 413 if isinstance(error, (ValidationMemory, OverLimit)) else 400 if isinstance(error, UnreadableInput) else 503
        return error_page(request, status, lang, str(error))
    return _answer(request, report, files, format, lang, token)
