"""Web pages for people: home, query editor, validation upload, comparison."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from quanze.api.deps import RepositoryDep, SettingsDep
from quanze.api.services import views
from quanze.graph import paths
from quanze.graph.query.compare import UnknownJurisdiction
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
        body = "\n".join(line for line in text.split("\n") if not re.match(r"#\s*title:", line)).strip() + "\n"
        found.append({"name": path.stem, "title_zh": zh.strip(), "title_en": (en or zh).strip(), "text": text, "body": body})
    return found


def example_texts() -> list[tuple[str, str]]:
    """(name, text) of each example query, the text as the query page sends it."""
    return [(q["name"], q["text"]) for q in examples()]


DEFAULT_A, DEFAULT_B = "340406", "410503"
"""The pair the compare page shows when none is asked for (two seed jurisdictions)."""


@dataclass
class CompareTables:
    scope: object
    """comparison.Scope: which jurisdictions the page draws."""
    matrix: object
    """comparison.Matrix of those jurisdictions."""
    matrix_html: Markup
    """The matrix as the page shows it (templates/_compare_matrix.html)."""
    charts_json: Markup
    """The charts' data, as `charts | tojson` writes it."""


def compare_tables(repository, settings, env, a: str, b: str, province: str, lang: str) -> CompareTables:
    """The compare page's scope (which jurisdictions it draws), its matrix — as data and as HTML — and its
    charts. All but the scope depend only on the jurisdictions drawn (a province: up to 183 columns, about a
    second to compute and a 1 MB table to write), so they are kept per store generation (views.cached)."""
    from jinja2.nodes import EvalContext

    from quanze.api.i18n import texts
    from quanze.api.services import comparison

    select = views.selector(repository, settings)
    scope = comparison.scope(select, a, b, province, settings.page_jurisdictions)
    shown = tuple(scope.codes) if scope.codes is not None else None
    matrix = views.cached(repository, ("matrix cells", lang, shown), lambda: comparison.matrix_cells(select, lang, scope.codes))
    matrix_html = views.cached(repository, ("matrix html", lang, shown), lambda: Markup(
        env.get_template("_compare_matrix.html").render(matrix=matrix, grid=comparison.matrix_grid(matrix, lang), lang=lang, t=texts(lang))))
    charts_json = views.cached(repository, ("charts", lang, shown), lambda: env.filters["tojson"](
        EvalContext(env), comparison.chart_data(select, matrix, lang, scope.codes)))
    return CompareTables(scope, matrix, matrix_html, charts_json)


def render(request: Request, template: str, lang: str, **context: object) -> HTMLResponse:
    from quanze.api.i18n import texts

    return request.app.state.templates.TemplateResponse(request, template, {"lang": lang, "t": texts(lang), **context})


@router.get("/", response_class=HTMLResponse)
async def home(
    request: Request, repository: RepositoryDep, settings: SettingsDep, lang: str = Lang,
    province: str = Query("", pattern="^(|all|[0-9]{2})$"),
) -> HTMLResponse:
    """Every jurisdiction with its counts; in a store larger than a page, one province at a time."""
    from quanze.api.services import comparison

    select = views.selector(repository, settings)
    scope = await run_in_threadpool(comparison.scope, select, "", "", province, settings.page_jurisdictions)
    rows = await run_in_threadpool(views.jurisdictions, select, scope.codes)
    return render(request, "home.html", lang, title="Quanze", jurisdictions=rows, scope=scope, page_limit=settings.page_jurisdictions)


@router.get("/query", response_class=HTMLResponse)
async def query_page(request: Request, lang: str = Lang) -> HTMLResponse:
    from quanze.graph.query.compare import PREFIXES

    vendor = getattr(request.app.state, "vendor", {})
    return render(request, "query.html", lang, title="SPARQL", examples=examples(), prefixes=PREFIXES.strip(),
                  yasgui=vendor.get("yasgui", False), echarts=vendor.get("echarts", False), initial=request.query_params.get("query", "")[:100_000])


@router.get("/validate", response_class=HTMLResponse)
async def validate_page(request: Request, lang: str = Lang) -> HTMLResponse:
    return render(request, "validate.html", lang, title="validate")


@router.get("/compare", response_class=HTMLResponse)
async def compare_page(
    request: Request, repository: RepositoryDep, settings: SettingsDep, a: str = DEFAULT_A, b: str = DEFAULT_B,
    province: str = Query("", pattern="^(|all|[0-9]{2})$"), lang: str = Lang,
) -> HTMLResponse:
    """Two jurisdictions side by side, and the matrix and charts of the store when it is small or,
    in a country-sized store, of one province (comparison.scope)."""
    from quanze.api.services import comparison

    select = views.selector(repository, settings)
    status = 200
    try:
        division_code(a), division_code(b)
        problem = None
    except InvalidParameter as error:
        problem, status = str(error), 400
    tables = await run_in_threadpool(compare_tables, repository, settings, request.app.state.templates.env,
                                     a if problem is None else "", b if problem is None else "", province, lang)
    scope, matrix = tables.scope, tables.matrix
    a_name = b_name = ""
    rows: list = []
    if problem is None:
        a, b = scope.a, scope.b
        try:
            a_name, b_name, rows = await run_in_threadpool(comparison.side_by_side, select, a, b, matrix)
        except UnknownJurisdiction as error:
            problem = str(error)
    vendor = getattr(request.app.state, "vendor", {})
    page = render(request, "compare.html", lang, title="compare", jurisdictions=scope.jurisdictions, scope=scope, page_limit=settings.page_jurisdictions, a=a, b=b,
                  a_name=a_name, b_name=b_name, rows=rows, problem=problem, matrix_html=tables.matrix_html, charts_json=tables.charts_json,
                  echarts=vendor.get("echarts", False))
    page.status_code = status
    return page
