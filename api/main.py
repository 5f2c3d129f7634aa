"""Build the FastAPI application: thin routers over services, the store behind one interface."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from quanze.api import errors
from quanze.api.repository import OxigraphRepository, Repository
from quanze.api.routers import linked_data, pages, rest, sparql, validate
from quanze.api.settings import Settings
from quanze.graph import paths

HERE = Path(__file__).parent


def create_app(settings: Settings | None = None, repository: Repository | None = None) -> FastAPI:
    settings = settings or Settings.from_environment()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.repository = repository or OxigraphRepository(settings.store, settings.workers)
        yield
        app.state.repository.close()

    app = FastAPI(
        title="Quanze 权责",
        description="SPARQL endpoint, validation service, linked data and REST routes over the knowledge graph of "
        "county medical-insurance bureaus' power and integrity-risk registers.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    errors.install(app)
    app.add_middleware(validate.UploadLimit, max_bytes=settings.max_upload_bytes)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["local"] = lambda iri: str(iri).replace("https://w3id.org/quanze", "", 1)
    templates.env.filters["short"] = _short
    app.state.templates = templates
    @app.get("/static/template.xlsx", include_in_schema=False)
    async def template():
        from fastapi.responses import FileResponse

        return FileResponse(paths.data_dir() / "templates" / "权责清单模板.xlsx", filename="权责清单模板.xlsx")

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for router in (sparql.router, validate.router, rest.router, linked_data.router, pages.router):
        app.include_router(router)
    return app


def _short(iri: str) -> str:
    for prefix, base in (
        ("qz:", "https://w3id.org/quanze/ontology#"),
        ("rdfs:", "http://www.w3.org/2000/01/rdf-schema#"),
        ("rdf:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
        ("prov:", "http://www.w3.org/ns/prov#"),
        ("dcterms:", "http://purl.org/dc/terms/"),
        ("skos:", "http://www.w3.org/2004/02/skos/core#"),
        ("eli:", "http://data.europa.eu/eli/ontology#"),
    ):
        if str(iri).startswith(base):
            return prefix + str(iri)[len(base):]
    return str(iri)
