"""Build the FastAPI application: thin routers over services, the store behind one interface."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from quanze import __version__
from quanze.api import errors as query_errors
from quanze.api import validation_pool
from quanze.api.gate import Gate, hard_limit
from quanze.api.repository import Cancelled, OxigraphRepository, Overloaded, Repository
from quanze.api.routers import downloads, errors, linked_data, ontology, pages, rest, sparql, validate
from quanze.api.settings import Settings
from quanze.graph import paths
from quanze.graph.store.oxigraph import clean_orphans
from quanze.graph.store.remote import is_remote

HERE = Path(__file__).parent


def create_app(settings: Settings | None = None, repository: Repository | None = None) -> FastAPI:
    settings = settings or Settings.from_environment()  # SettingsError (one line) on nonsense

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if repository is None:
            clean_orphans(settings.store)  # leftovers of killed builds, unless a build is running
        if repository is not None:
            app.state.repository = repository
        elif is_remote(settings.store):  # a SPARQL server (sparql+http://…): api/remote_repository.py
            from quanze.api.remote_repository import RemoteRepository

            app.state.repository = RemoteRepository.from_settings(settings)
        else:
            app.state.repository = OxigraphRepository.from_settings(settings)
            if settings.warm != "0":  # fill the caches now and after each change of the store (api/services/warm.py)
                from quanze.api.services import warm

                app.state.repository.warm_with(*warm.jobs(app.state.repository, settings, app.state.templates.env))
                app.state.repository.warm()
        app.state.validation_pool = validation_pool.ValidationPool.from_settings(settings)
        yield
        app.state.validation_pool.close()
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
    _answer_refusals(app)
    app.add_middleware(PinGeneration)
    app.add_middleware(Gate, limit=settings.max_in_flight, hard=hard_limit(settings))  # outermost: refusals before any routing
    return app


class PinGeneration:
    """Pin each HTTP request to the store generation live when it arrives (one stat of the pointer).

    Every query the request makes (a page makes several) then runs on that generation, so a
    rebuild is picked up between requests, never within one.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        repository = getattr(scope["app"].state, "repository", None) if scope["type"] == "http" and "app" in scope else None
        pin = getattr(repository, "pin", None)
        if pin is None:
            await self.app(scope, receive, send)
            return
        token = pin()
        try:
            await self.app(scope, receive, send)
        finally:
            repository.unpin(token)


def _answer_refusals(app: FastAPI) -> None:
    """Refusals of the admission control that pages and REST routes can meet too (errors.py has the rest)."""
    from fastapi.responses import PlainTextResponse

    @app.exception_handler(Overloaded)
    async def overloaded(request, error: Overloaded):
        return PlainTextResponse(str(error), status_code=error.status, headers={"Retry-After": str(error.retry_after)})

    @app.exception_handler(Cancelled)
    async def cancelled(request, error: Cancelled):
        return PlainTextResponse(str(error), status_code=499)


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
