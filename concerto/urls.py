"""Top-level URLs. Fixed prefixes come first; `/<org_slug>/...` takes what is left.

Component URLs come from the registry: each manifest names its public, back-office and organisation
URLconfs, mounted here under the component's name (also its URL namespace).
"""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from concerto.core import geocoding, maps, metrics, registry, views
from concerto.core.accountability import urls as accountability_urls
from concerto.core.accounts import urls as accounts_urls
from concerto.core.mobilisation import campaign_views
from concerto.core.mobilisation import urls as mobilisation_urls
from concerto.core.mobilisation import views as mobilisation_views
from concerto.core.participation import urls as participation_urls
from concerto.core.participation import views as participation_views
from concerto.core.resources import backoffice_urls as resources_backoffice_urls
from concerto.core.resources import network_urls as resources_network_urls
from concerto.core.resources import network_views as resources_network_views
from concerto.core.resources import urls as resources_urls
from concerto.demo import mailbox

handler400 = "concerto.core.views.bad_request"
handler403 = "concerto.core.views.permission_denied"
handler404 = "concerto.core.views.page_not_found"
handler500 = "concerto.core.views.server_error"

SPACE = "<slug:org_slug>/<slug:space_slug>"


def component_urlpatterns() -> list:
    patterns = []
    for manifest in registry.components():
        for prefix, module in manifest.site_urls:
            namespace = f"{manifest.name}_{prefix.strip('/').split('/')[0]}"
            patterns.append(path(prefix, include((module, namespace))))
        mounts = (
            (manifest.backoffice_urls, f"gestion/{SPACE}/{manifest.segment}/<int:component_id>/",
             f"{manifest.name}_backoffice"),
            (manifest.organisation_urls, f"<slug:org_slug>/{manifest.segment}/", f"{manifest.name}_organisation"),
            (manifest.space_urls, f"{SPACE}/{manifest.segment}/", f"{manifest.name}_space"),
            (manifest.public_urls, f"{SPACE}/{manifest.segment}/<int:component_id>/", manifest.name),
        )
        patterns += [path(route, include((urls, namespace))) for urls, route, namespace in mounts if urls]
    return patterns


urlpatterns = [
    path("", views.home, name="home"),
    path("sw.js", participation_views.service_worker, name="service_worker"),
    path("admin/", admin.site.urls),
    # For Prometheus (a 404 unless configured); /sante/, the health check, is answered by its middleware.
    path("metrics", metrics.metrics_view, name="metrics"),
    path("api/v1/", include("concerto.api.urls")),
    # The account's pages and its notifications pages (participation's) share /compte/ and the "accounts" names.
    path("compte/discussions/", include("concerto.channels.account_urls")),
    path("compte/mes-contributions/", include(accountability_urls.account_urlpatterns)),
    path("compte/organisations/", include(mobilisation_urls.account_urlpatterns)),
    path("compte/", include((accounts_urls.urlpatterns + participation_urls.account_urlpatterns, "accounts"))),
    path("compte/", include("allauth.urls")),
    path("gestion/<slug:org_slug>/decisions/", include("concerto.core.accountability.backoffice_urls")),
    path("gestion/<slug:org_slug>/ressources/", include(resources_backoffice_urls)),
    # The network of practice: the same from every organisation's back-office, and a link for notifications.
    path("gestion/reseau/<str:segment>/<int:item_id>/", resources_network_views.go, name="network_go"),
    path("gestion/<slug:org_slug>/reseau/", include(resources_network_urls)),

    path("gestion/", include("concerto.core.mobilisation.backoffice_urls")),
    path("gestion/", include("concerto.core.backoffice.urls")),
    path("gestion/<slug:org_slug>/moderation/", include("concerto.core.participation.backoffice_urls")),
    path("gestion/<slug:org_slug>/contours/", include("concerto.core.backoffice.boundaries_urls")),
    path("gestion/<slug:org_slug>/taches/", include("concerto.core.jobs.urls")),
    path("gestion/<slug:org_slug>/canaux/", include("concerto.channels.backoffice_urls")),
    path("gestion/<slug:org_slug>/lettres/", include("concerto.core.participation.newsletter_backoffice_urls")),
    path("participation/", include("concerto.core.participation.urls")),
    path("suivi/", include(accountability_urls.site_urlpatterns)),
    path("mon-fil/", include(participation_urls.feed_urlpatterns)),
    path("themes/", include(participation_urls.topic_urlpatterns)),
    path("canaux/", include("concerto.channels.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The demo's inbox (`make run`): a 404 unless DEBUG is on with the demo's e-mail backend.
    path("demo/courriels/", mailbox.inbox, name="demo_mailbox"),
    path("pages/", include("concerto.core.pages_urls")),
    path("donnees/", include("concerto.core.opendata.urls")),
    path("communes/", views.organisation_search, name="organisation_search"),
    path("communes/contours.geojson", maps.boundaries_geojson, name="communes_boundaries"),
    path("adresses/recherche/", geocoding.address_search_view, name="address_search"),
    path("adresses/inverse/", geocoding.address_reverse_view, name="address_reverse"),
    # The Métropole's resource centre: before the organisations' own addresses ("ressources" is no space slug).
    path("metropole/ressources/", include(resources_urls)),

    path("metropole/comparaison/", include("concerto.core.comparison.urls")),
    # Short links printed on posters or sent in messages (core/mobilisation/links.py): no trailing slash, short to
    # type; an organisation's own addresses all end with one, so none can be taken for it.
    path("l/<slug:code>", mobilisation_views.short_link, name="short_link"),
    # Campaigns' one-click opt-out and the image counting their opens (core/mobilisation/campaigns.py).
    path("invitations/arret/<str:token>/", campaign_views.campaign_optout, name="campaign_optout"),
    path("invitations/<int:campaign_id>/image.png", campaign_views.campaign_image, name="campaign_image"),
    *component_urlpatterns(),
    path("<slug:org_slug>/lettres/", include(participation_urls.newsletter_urlpatterns)),
    path("<slug:org_slug>/suivi/", include(accountability_urls.organisation_urlpatterns)),
    path("<slug:org_slug>/", views.organisation_detail, name="organisation_detail"),
    path(f"{SPACE}/", views.space_detail, name="space_detail"),
    path(f"{SPACE}/concertation/", include("concerto.core.mobilisation.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
