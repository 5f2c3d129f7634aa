"""Downloads for people: a query's results, a comparison, the matrix — as CSV (with a BOM) or XLSX.

Unlike /sparql, whose text/csv is the W3C SPARQL result format and stays exact, these files are
meant to be opened in Excel: UTF-8 with a byte-order mark, a file name, and cells that begin
like a formula (= + - @) neutralised with a leading apostrophe.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response

from quanze.api.deps import RepositoryDep, SettingsDep
from quanze.api.repository import QueryFailed, QueryRequest, QueryTimeout, ResultTooLarge
from quanze.api.services import views
from quanze.api.services.sparql import RefusedQuery, inspect
from quanze.graph.query.compare import UnknownJurisdiction, compare, matrix
from quanze.graph.query.spreadsheet import content_disposition, csv_text, xlsx_bytes

router = APIRouter(include_in_schema=False)
Format = Query("csv", pattern="^(csv|xlsx)$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_response(stem: str, fmt: str, sheets: list[tuple[str, list[object], list[list[object]]]]) -> Response:
    """The first sheet as CSV, or every sheet in one workbook, as an attachment named stem.csv/xlsx."""
    if fmt == "xlsx":
        data, media = xlsx_bytes(sheets), XLSX
    else:
        _, header, rows = sheets[0]
        data, media = csv_text(header, rows).encode("utf-8"), "text/csv; charset=utf-8"
    return Response(data, media_type=media, headers={"Content-Disposition": content_disposition(f"{stem}.{fmt}")})


def _term(binding: dict[str, str] | None) -> str:
    return binding["value"] if binding else ""


@router.get("/query/download")
async def query_download(
    repository: RepositoryDep, settings: SettingsDep, query: str = Query(..., max_length=200_000), format: str = Format,
) -> Response:
    """A SELECT query's results as a spreadsheet (the query page's download links)."""
    try:
        kind = inspect(query, settings.max_query_bytes)
        if kind != "select":
            raise RefusedQuery("only SELECT results can be downloaded as a table; use /sparql for other query forms", 400)
        request = QueryRequest(query, "application/sparql-results+json", kind, max_results=settings.max_results)
        data, _ = await run_in_threadpool(repository.query, request, settings.query_timeout)
    except RefusedQuery as error:
        return PlainTextResponse(str(error), status_code=error.status)
    except QueryTimeout as error:
        return PlainTextResponse(str(error), status_code=503)
    except ResultTooLarge as error:
        return PlainTextResponse(f"{error}; add a LIMIT", status_code=422)
    except QueryFailed as error:
        return PlainTextResponse(str(error), status_code=400)
    results = json.loads(data)
    variables = results["head"]["vars"]
    rows = [[_term(b.get(v)) for v in variables] for b in results["results"]["bindings"]]
    return table_response("quanze-query", format, [("results", variables, rows)])


def comparison_rows(c, lang: str = "zh") -> tuple[list[object], list[list[object]]]:
    """One row per difference: canonical power (Chinese name), aspect, what only A has, what only B has."""
    zh = lang != "en"
    header = (["标准权力事项", "编号", "差异", f"仅{c.a_name}（{c.a}）", f"仅{c.b_name}（{c.b}）"] if zh
              else ["Canonical power", "Id", "Aspect", f"only {c.a_name} ({c.a})", f"only {c.b_name} ({c.b})"])
    rows: list[list[object]] = []
    for cid, name, items in c.only_a:
        rows.append([name, cid, "权力事项" if zh else "power", "；".join(items), ""])
    for cid, name, items in c.only_b:
        rows.append([name, cid, "权力事项" if zh else "power", "", "；".join(items)])
    for d in c.differences:
        if d.articles_only_a or d.articles_only_b:
            rows.append([d.name, d.canonical, "法律依据" if zh else "articles", "、".join(d.articles_only_a), "、".join(d.articles_only_b)])
        if d.stages_only_a or d.stages_only_b:
            rows.append([d.name, d.canonical, "办理环节" if zh else "stages", "、".join(d.stages_only_a), "、".join(d.stages_only_b)])
        for stage, la, lb in d.level_differences:
            rows.append([d.name, d.canonical, (f"风险等级（{stage}）" if zh else f"risk level ({stage})"), "/".join(la), "/".join(lb)])
    return header, rows


def matrix_table(repository, settings):
    """compare.matrix of the store: O(country), so computed once per store generation (views.cached)."""
    return views.cached(repository, "matrix", lambda: matrix(views.selector(repository, settings)))


def matrix_csv(repository, settings, lang: str) -> bytes:
    """The matrix download as CSV bytes, kept per store generation like the table it is written from."""
    def write() -> bytes:
        header, rows = _matrix_rows(*matrix_table(repository, settings), lang)
        return csv_text(header, rows).encode("utf-8")

    return views.cached(repository, ("matrix.csv", lang), write)


def _matrix_rows(jurisdictions, canon, counts, lang: str) -> tuple[list[object], list[list[object]]]:
    header: list[object] = ["标准权力事项" if lang != "en" else "Canonical power", "编号" if lang != "en" else "Id"]
    header += [f"{name} {code}" for code, name in jurisdictions]
    rows = [[name, cid] + [counts.get((code, cid), 0) for code, _ in jurisdictions] for cid, name in canon]
    return header, rows


@router.get("/compare/download")
async def compare_download(
    repository: RepositoryDep,
    settings: SettingsDep,
    a: str = Query("340406", pattern=r"^[0-9]{6}$"), b: str = Query("410503", pattern=r"^[0-9]{6}$"),
    format: str = Format, lang: str = Query("zh", pattern="^(zh|en)$"),
) -> Response:
    try:
        c = await run_in_threadpool(compare, views.selector(repository, settings), a, b)
    except UnknownJurisdiction as error:
        return PlainTextResponse(str(error), status_code=404)
    header, rows = comparison_rows(c, lang)
    sheets = [("比较" if lang != "en" else "comparison", header, rows)]
    if format == "xlsx":
        table = await run_in_threadpool(matrix_table, repository, settings)
        sheets.append(("矩阵" if lang != "en" else "matrix", *_matrix_rows(*table, lang)))
    return table_response(f"quanze-compare-{a}-{b}", format, sheets)


@router.get("/compare/matrix/download")
async def matrix_download(
    repository: RepositoryDep, settings: SettingsDep, format: str = Format, lang: str = Query("zh", pattern="^(zh|en)$"),
) -> Response:
    if format == "csv":
        data = await run_in_threadpool(matrix_csv, repository, settings, lang)
        return Response(data, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": content_disposition("quanze-matrix.csv")})
    table = await run_in_threadpool(matrix_table, repository, settings)
    return table_response("quanze-matrix", format, [("矩阵" if lang != "en" else "matrix", *_matrix_rows(*table, lang))])
