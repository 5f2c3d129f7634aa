"""Web pages for people: home, query editor, validation upload, comparison."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from quanze.api.deps import RepositoryDep, SettingsDep
from quanze.api.services import views
from quanze.graph import paths
from quanze.graph.query.compare import UnknownJurisdiction, compare, matrix_text, to_text
from quanze.graph.query.terms import InvalidParameter, division_code

router = APIRouter(include_in_schema=False)
Lang = Query("zh", pattern="^(zh|en)$")


def examples() -> list[dict[str, str]]:
    """The example queries of queries/*.rq, with their titles (first comment line)."""
    found = []
    for path in sorted(paths.queries_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        title = re.match(r"#\s*title:\s*(.*)", text)
        zh, _, en = (title.group(1) if title else path.stem).partition("|")
        found.append({"name": path.stem, "title_zh": zh.strip(), "title_en": (en or zh).strip(), "text": text})
    return found


def render(request: Request, template: str, lang: str, **context: object) -> HTMLResponse:
    from quanze.api.i18n import texts

    return request.app.state.templates.TemplateResponse(request, template, {"lang": lang, "t": texts(lang), **context})


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, repository: RepositoryDep, settings: SettingsDep, lang: str = Lang) -> HTMLResponse:
    rows = await run_in_threadpool(views.jurisdictions, views.selector(repository, settings))
    return render(request, "home.html", lang, title="Quanze", jurisdictions=rows)


@router.get("/query", response_class=HTMLResponse)
async def query_page(request: Request, lang: str = Lang) -> HTMLResponse:
    from quanze.graph.query.compare import PREFIXES

    return render(request, "query.html", lang, title="SPARQL", examples=examples(), prefixes=PREFIXES.strip())


@router.get("/validate", response_class=HTMLResponse)
async def validate_page(request: Request, lang: str = Lang) -> HTMLResponse:
    return render(request, "validate.html", lang, title="validate")


@router.get("/compare", response_class=HTMLResponse)
async def compare_page(
    request: Request, repository: RepositoryDep, settings: SettingsDep, a: str = "340406", b: str = "410503", lang: str = Lang,
) -> HTMLResponse:
    select = views.selector(repository, settings)
    jurisdictions = await run_in_threadpool(views.jurisdictions, select)
    status = 200
    try:
        division_code(a), division_code(b)
        report = to_text(await run_in_threadpool(compare, select, a, b))
    except InvalidParameter as error:
        report, status = str(error), 400
    except UnknownJurisdiction as error:
        report = str(error)
    matrix = await run_in_threadpool(matrix_text, select)
    page = render(request, "compare.html", lang, title="compare", jurisdictions=jurisdictions, a=a, b=b, report=report, matrix=matrix)
    page.status_code = status
    return page
