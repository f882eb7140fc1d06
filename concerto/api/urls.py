"""/api/v1/: the NinjaAPI, its self-hosted docs, and the routers of the kernel and of the components.

Components are reached only through their manifests: each one that names an `api_router` gets it
mounted at /api/v1/<name>/.
"""

import json
from functools import wraps

from django.shortcuts import render
from django.urls import path, re_path
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from concerto.api import errors, insights, opendata, resources, routers
from concerto.core import registry

DESCRIPTION = """\
**Français.** L'API publique de Concerto, la plateforme de participation citoyenne de la Métropole du
Grand Paris : organisations (Métropole, territoires, communes), espaces de participation et contenus des
composants. La lecture est libre et sans clé. L'écriture demande une session du site (avec le jeton
CSRF) ou un jeton personnel envoyé dans l'en-tête `Authorization: Bearer <clé>`, et les droits de votre
rôle sur l'organisation. Les listes se parcourent avec `limit` (100 au plus) et `offset`. Les erreurs
sont en JSON : `{"detail": "..."}`, dans la langue de la requête (français par défaut).

**Open311.** Les signalements se lisent et s'envoient aussi en Open311 GeoReport v2 sous `/open311/v2/`
(JSON ou XML), décrit en OpenAPI à [`/open311/v2/openapi.json`](/open311/v2/openapi.json).

**Licence.** Les données publiées sont des données ouvertes, réutilisables sous la
[Licence Ouverte / Open Licence version 2.0 (Etalab)](https://www.etalab.gouv.fr/licence-ouverte-open-licence/),
en citant la source : « Concerto, Métropole du Grand Paris » et la date de mise à jour.

**English.** The public API of Concerto, the citizen-participation platform of the Métropole du Grand
Paris: organisations, participation spaces and component content. Reading needs no key. Writing needs a
site session (with the CSRF token) or a personal token sent as `Authorization: Bearer <key>`, and the
permissions of your role on the organisation. Lists take `limit` (at most 100) and `offset`. Errors are
JSON `{"detail": "..."}`, in the request's language (French by default). Citizen reports are also served
as Open311 GeoReport v2 under `/open311/v2/` (JSON or XML), described at `/open311/v2/openapi.json`.
Published data is open data under the Licence Ouverte / Open Licence 2.0 (Etalab).
"""


class SelfHostedDocs(Swagger):
    """Swagger UI from the files ninja ships (no CDN, no validator badge), with a list of the endpoints
    that works without JavaScript."""

    template = "api/docs.html"

    def __init__(self):
        super().__init__(settings={"validatorUrl": None, "deepLinking": False})

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        operations = []
        for route, methods in api.get_openapi_schema(path_params=kwargs)["paths"].items():
            for method, operation in methods.items():
                operations.append({"method": method.upper(), "path": route,
                                   "summary": operation.get("summary", "")})
        return render(request, self.template, {
            "api": api,
            "swagger_settings": json.dumps(self.settings),
            "openapi_url": self.settings["url"],
            "operations": operations,
        })


class ConcertoAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        return errors.document_errors(super().get_openapi_schema(**kwargs))


api = ConcertoAPI(
    title="Concerto API",
    version="1",
    description=DESCRIPTION,
    docs=SelfHostedDocs(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)
errors.install(api)

api.add_router("/", routers.organisations)
api.add_router("/", routers.spaces)
api.add_router("/", routers.me)
api.add_router("/", opendata.router)
api.add_router("/resources/", resources.router)

api.add_router("/insights/", insights.router)
for manifest in registry.components():
    if manifest.api_router:
        api.add_router(f"/{manifest.name}/", import_string(manifest.api_router))


def _api_view(view):
    """Every endpoint: a NUL character anywhere in what it reads is a 422 before it runs (PostgreSQL refuses
    them in text), and ninja's plain-text 405 for a wrong method is JSON like every other error."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        found = errors.nul_errors(request, kwargs)
        if found:
            return errors.json_error(422, _("The data sent is not valid."), errors=found)
        response = view(request, *args, **kwargs)
        is_json = response.get("Content-Type", "").startswith("application/json")
        if response.status_code == 405 and not is_json:
            allowed = response.get("Allow", "")
            response = errors.json_error(405, _("This method is not allowed here. Allowed: %(methods)s.")
                                         % {"methods": allowed})
            response["Allow"] = allowed
        return response

    return wrapper


api_patterns, api_app_name, api_namespace = api.urls
for pattern in api_patterns:
    pattern.callback = _api_view(pattern.callback)

urlpatterns = [
    path("", (api_patterns, api_app_name, api_namespace)),
    re_path(r"^.*$", errors.not_found_view),
]
