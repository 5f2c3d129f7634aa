"""REST routes for the common questions (documented in OpenAPI at /docs).

Every parameter is validated before a query is built (graph.query.terms): a bad one answers
400 (or 422 from the declared pattern) with a message saying what it should be.
"""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.concurrency import run_in_threadpool

from quanze.api.deps import RepositoryDep, SettingsDep
from quanze.api.services import views
from quanze.graph.query import terms
from quanze.graph.query.compare import UnknownJurisdiction, compare

router = APIRouter(prefix="/api", tags=["rest"])
CODE = r"^[0-9]{6}$"


@router.get("/jurisdictions", summary="Jurisdictions with their numbers of power items and risk points")
async def jurisdictions(repository: RepositoryDep, settings: SettingsDep) -> list[dict]:
    return await run_in_threadpool(views.every_jurisdiction, repository, settings)


@router.get("/jurisdictions/{code}/powers", summary="The power items of a jurisdiction")
async def powers(repository: RepositoryDep, settings: SettingsDep, code: str = Path(description="six-digit division code, e.g. 340406")) -> list[dict]:
    terms.division_code(code)
    return await run_in_threadpool(views.powers_of, views.selector(repository, settings), code)


@router.get("/articles/{instrument}/{number}/powers", summary="The powers, across jurisdictions, that rest on an article")
async def citing(
    repository: RepositoryDep, settings: SettingsDep,
    instrument: str = Path(description="an instrument id of the statute catalogue, e.g. social-insurance-law"),
    number: str = Path(description="article number, a positive whole number"),
) -> list[dict]:
    instrument, article = terms.instrument(instrument), terms.article_number(number)
    return await run_in_threadpool(views.powers_citing, views.selector(repository, settings), instrument, article)


@router.get("/risk-points", summary="Risk points filtered by jurisdiction, stage and level")
async def risk_points(
    repository: RepositoryDep, settings: SettingsDep,
    jurisdiction: str | None = Query(None, description="six-digit division code"),
    stage: str | None = Query(None, max_length=20, description="stage name of the vocabulary, e.g. 调查取证"),
    level: str | None = Query(None, description="高, 中 or 低 (or High, Medium, Low)"),
) -> list[dict]:
    if jurisdiction:  # an empty parameter is no filter
        terms.division_code(jurisdiction)
    if stage:
        terms.stage(stage)
    if level:
        terms.risk_level(level)
    return await run_in_threadpool(views.risk_points, views.selector(repository, settings), jurisdiction or None, stage or None, level or None)


@router.get("/compare", summary="Compare two jurisdictions through the canonical catalogue")
async def compare_route(
    repository: RepositoryDep, settings: SettingsDep,
    a: str = Query(..., pattern=CODE, description="first division code"),
    b: str = Query(..., pattern=CODE, description="second division code"),
) -> dict:
    terms.division_code(a), terms.division_code(b)
    try:
        return asdict(await run_in_threadpool(compare, views.selector(repository, settings), a, b))
    except UnknownJurisdiction as error:
        raise HTTPException(404, str(error)) from error
