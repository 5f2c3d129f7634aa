"""Build the FastAPI application: thin routers over services, the store behind one interface."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from quanze import __version__
from quanze.api import errors as query_errors
from quanze.api.repository import OxigraphRepository, Repository
from quanze.api.routers import downloads, errors, linked_data, ontology, pages, rest, sparql, validate
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
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # served below from the local swagger-ui-dist: intranets have no CDN
        redoc_url=None,
    )
    app.state.settings = settings
    query_errors.install(app)
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
    app.state.vendor = mount_vendor(app)
    errors.install(app)

    @app.get("/docs", include_in_schema=False)
    async def docs():
        from fastapi.openapi.docs import get_swagger_ui_html

        if not app.state.vendor.get("swagger-ui"):
            from fastapi.responses import HTMLResponse

            return HTMLResponse("<!doctype html><meta charset=utf-8><title>API</title><p>Swagger UI is not installed (run npm ci); "
                                "the API description is at <a href='/openapi.json'>/openapi.json</a>.</p>")
        return get_swagger_ui_html(openapi_url=app.openapi_url, title="Quanze 权责 API", swagger_js_url="/vendor/swagger-ui/swagger-ui-bundle.js",
                                   swagger_css_url="/vendor/swagger-ui/swagger-ui.css", swagger_favicon_url="/vendor/swagger-ui/favicon-32x32.png",
                                   swagger_ui_parameters={"validatorUrl": None})
    for router in (sparql.router, validate.router, rest.router, linked_data.router, ontology.router, downloads.router, pages.router):
        app.include_router(router)
    return app


# Browser libraries installed by `npm ci` (package.json at the repository root) and served here, so
# the pages work on an intranet with no internet: name → folder under node_modules.
VENDOR = {"yasgui": "@zazuko/yasgui/build", "echarts": "echarts/dist", "swagger-ui": "swagger-ui-dist"}


def web_assets_dir() -> Path:
    """node_modules of the repository (QUANZE_WEB_ASSETS overrides it)."""
    import os

    return Path(os.environ.get("QUANZE_WEB_ASSETS") or HERE.parent / "node_modules")


def mount_vendor(app: FastAPI) -> dict[str, bool]:
    """Mount each installed library at /vendor/<name>/; which ones are there (pages fall back without them)."""
    found = {}
    for name, folder in VENDOR.items():
        directory = web_assets_dir() / folder
        found[name] = directory.is_dir()
        if found[name]:
            app.mount(f"/vendor/{name}", StaticFiles(directory=str(directory)), name=f"vendor-{name}")
    return found


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
