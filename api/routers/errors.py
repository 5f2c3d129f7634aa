"""Error pages: a styled page in the user's language for browsers, the usual JSON for programs.

FastAPI answers errors as JSON ({"detail": …}); a person following a link or a form gets a
page in the site's layout instead, in Chinese or English (`lang=`), saying what went wrong and
where to go next. Programs (no text/html in Accept, or /api/ and /sparql) keep the JSON.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from quanze.api.services.negotiation import wants_html

TITLES = {
    "zh": {400: "请求有误", 404: "未找到", 405: "不支持该请求方式", 406: "无法提供所要求的格式", 413: "文件过大",
           415: "不支持的内容类型", 422: "参数有误", 500: "服务器内部错误", 503: "服务暂不可用"},
    "en": {400: "Bad request", 404: "Not found", 405: "Method not allowed", 406: "Not acceptable", 413: "Too large",
           415: "Unsupported media type", 422: "Invalid parameters", 500: "Server error", 503: "Service unavailable"},
}
HINTS = {
    "zh": {404: "该地址没有对应的资源。可以从首页的辖区列表进入，或在 SPARQL 查询页查找。",
           422: "请检查网址中的参数（如辖区代码应为 6 位数字，lang 为 zh 或 en）。"},
    "en": {404: "There is no resource at this address. Start from the jurisdictions on the home page, or search with a SPARQL query.",
           422: "Check the parameters in the address (a division code has six digits; lang is zh or en)."},
}


def page_lang(request: Request) -> str:
    lang = request.query_params.get("lang", "zh")
    return lang if lang in ("zh", "en") else "zh"


def error_page(request: Request, status: int, lang: str, detail: str = "", headers: dict[str, str] | None = None) -> Response:
    from quanze.api.routers.pages import render

    titles = TITLES[lang]
    response = render(request, "error.html", lang, title=f"{status} {titles.get(status, '')}", status=status,
                      heading=titles.get(status, str(status)), detail=detail, hint=HINTS[lang].get(status, ""))
    response.status_code = status
    if headers:
        response.headers.update(headers)
    return response


def _for_people(request: Request) -> bool:
    path = request.url.path
    return wants_html(request.headers.get("accept")) and not path.startswith(("/api/", "/sparql", "/openapi.json"))


async def http_error(request: Request, error: StarletteHTTPException) -> Response:
    headers = getattr(error, "headers", None)
    if _for_people(request):
        detail = error.detail if isinstance(error.detail, str) else ""
        if error.status_code == 404 and detail == "Not Found":
            detail = request.url.path
        return error_page(request, error.status_code, page_lang(request), detail, headers)
    return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=headers)


async def validation_error(request: Request, error: RequestValidationError) -> Response:
    if _for_people(request):
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg', '')}" for e in error.errors())
        return error_page(request, 422, page_lang(request), problems)
    from fastapi.encoders import jsonable_encoder

    return JSONResponse({"detail": jsonable_encoder(error.errors())}, status_code=422)


def install(app) -> None:
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
