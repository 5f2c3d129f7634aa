"""REST routes for the common questions (documented in OpenAPI at /docs)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query
from fastapi.concurrency import run_in_threadpool

from quanze.api.deps import RepositoryDep
from quanze.api.services import views
from quanze.graph.query.compare import UnknownJurisdiction, compare

router = APIRouter(prefix="/api", tags=["rest"])


@router.get("/jurisdictions", summary="Jurisdictions with their numbers of power items and risk points")
async def jurisdictions(repository: RepositoryDep) -> list[dict]:
    return await run_in_threadpool(views.jurisdictions, repository)


@router.get("/jurisdictions/{code}/powers", summary="The power items of a jurisdiction")
async def powers(code: str, repository: RepositoryDep) -> list[dict]:
    if not code.isdigit() or len(code) != 6:
        raise HTTPException(400, "a division code has six digits")
    return await run_in_threadpool(views.powers_of, repository, code)


@router.get("/articles/{instrument}/{number}/powers", summary="The powers, across jurisdictions, that rest on an article")
async def citing(instrument: str, number: int, repository: RepositoryDep) -> list[dict]:
    if not instrument.replace("-", "").isalnum():
        raise HTTPException(400, "instrument ids are like social-insurance-law")
    return await run_in_threadpool(views.powers_citing, repository, instrument, number)


@router.get("/risk-points", summary="Risk points filtered by jurisdiction, stage and level")
async def risk_points(
    repository: RepositoryDep,
    jurisdiction: str | None = Query(None, pattern=r"^\d{6}$"),
    stage: str | None = Query(None, max_length=20, description="stage name, e.g. 调查取证"),
    level: str | None = Query(None, pattern="^(高|中|低|High|Medium|Low)$"),
) -> list[dict]:
    return await run_in_threadpool(views.risk_points, repository, jurisdiction, stage, level)


@router.get("/compare", summary="Compare two jurisdictions through the canonical catalogue")
async def compare_route(
    repository: RepositoryDep,
    a: str = Query(..., pattern=r"^\d{6}$", description="first division code"),
    b: str = Query(..., pattern=r"^\d{6}$", description="second division code"),
) -> dict:
    from dataclasses import asdict

    try:
        return asdict(await run_in_threadpool(compare, repository.select, a, b))
    except UnknownJurisdiction as error:
        raise HTTPException(404, str(error)) from error
