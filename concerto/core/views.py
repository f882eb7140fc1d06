"""Public pages of the kernel: home, commune search, organisation and space pages, errors."""

import logging

from django.http import Http404, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from concerto.core import registry
from concerto.core.accounts.permissions import has_role
from concerto.core.errors import error_page
from concerto.core.french import sort_by_name
from concerto.core.participation.models import Newsletter
from concerto.core.spaces import openings
from concerto.core.spaces.models import Space
from concerto.core.territory.models import Organisation


def home(request):
    # T1 (Paris), T2 ... T12: by the number, not the text of the code.
    territories = sorted(
        Organisation.objects.territories().prefetch_related("children"),
        key=lambda territory: int(territory.code.lstrip("T") or 0),
    )
    spaces = openings.open_spaces(
        Space.objects.published().select_related("organisation").order_by("-published_at"), limit=6)
    return render(request, "core/home.html", {"territories": territories, "spaces": spaces})


def organisation_search(request):
    query = request.GET.get("q", "").strip()[:100]
    results = Organisation.objects.search(query) if query else []
    template = "core/_search_results.html" if request.htmx else "core/organisation_search.html"
    return render(request, template, {"query": query, "results": results})


def organisation_detail(request, org_slug):
    organisation = request.organisation
    spaces = openings.with_headlines(
        Space.objects.visible_to(request.user).filter(organisation=organisation)
        .order_by("status", "-start_date", "title").prefetch_related("steps", "components"))
    # A commune's page also lists the Métropole's and its territory's spaces that concern it.
    wider = (openings.with_headlines(openings.spaces_covering(organisation).order_by("-start_date", "title")
                                     .prefetch_related("steps", "components"))
             if organisation.is_commune else [])
    organisation_links = [
        manifest for manifest in registry.components() if manifest.organisation_urls
    ]
    children = sort_by_name(organisation.children.all()) if not organisation.is_commune else []
    # What components show on the page of an organisation (open quick polls...), through their manifests.
    blocks = [block for manifest in registry.components() if manifest.organisation_block
              for block in [manifest.organisation_block(organisation, request)] if block]
    return render(request, "core/organisation_detail.html", {
        "blocks": blocks,
        "organisation": organisation,
        "spaces": spaces,
        "wider_spaces": wider,
        "children": children,
        "organisation_links": organisation_links,
        "can_manage": has_role(request.user, organisation),
        "has_newsletters": Newsletter.objects.filter(organisation=organisation).exclude(
            status=Newsletter.Status.DRAFT).exists(),
    })


def get_visible_space(request, space_slug) -> Space:
    """The space SPACE_SLUG of the request's organisation, if this user may see it; 404 otherwise."""
    space = (
        Space.objects.visible_to(request.user)
        .filter(organisation=request.organisation, slug=space_slug)
        .prefetch_related("steps", "scope")
        .first()
    )
    if space is None:
        raise Http404(_("This participation space does not exist or is not published."))
    return space


def space_detail(request, org_slug, space_slug):
    space = get_visible_space(request, space_slug)
    can_manage = request.user.has_perm("spaces.manage_space", space.organisation)
    components = space.components.all() if can_manage else space.components.published()
    blocks = []
    for component in components:
        try:
            manifest = component.manifest
        except LookupError:
            continue
        blocks.append({
            "component": component,
            "manifest": manifest,
            "summary": manifest.summary(component, request) if manifest.summary else "",
            "statistics": manifest.statistics(component) if manifest.statistics else {},
        })
    # A component may offer a feed for the whole space (its space URLconf names it "feed").
    feeds = []
    for manifest in registry.components():
        if manifest.space_urls:
            try:
                feeds.append({"label": manifest.label, "url": reverse(
                    f"{manifest.name}_space:feed", kwargs={"org_slug": org_slug, "space_slug": space.slug})})
            except NoReverseMatch:
                pass
    return render(request, "core/space_detail.html", {
        "feeds": feeds if space.is_published else [],
        "space": space,
        "organisation": space.organisation,
        "steps": space.steps.all(),
        "current_step": space.current_step(),
        "blocks": blocks,
        "can_manage": can_manage,
    })


def bad_request(request, exception=None):
    return error_page(request, 400, _("Bad request"), _("The request could not be understood. Check the address "
                                                       "or the form and try again."))


def permission_denied(request, exception=None):
    from concerto.core.accounts.verification import VerificationRequired

    detail = str(exception) if exception and str(exception) else _("You do not have access to this page.")
    # Reserved to verified residents: the page also says where to verify (or to sign in first).
    refusal = exception if isinstance(exception, VerificationRequired) else None
    return error_page(request, 403, _("Access denied"), detail, refusal=refusal)


def page_not_found(request, exception=None):
    return error_page(request, 404, _("Page not found"),
                  _("This page does not exist or is no longer available. Check the address, or look for "
                    "your commune from the home page."))


def server_error(request):
    try:
        return error_page(request, 500, _("Something went wrong"),
                          _("An error occurred on our side. Nothing you had already saved is lost. Please try "
                            "again in a few minutes."))
    except Exception:
        # The site's page needs the database (its header), the templates and the static files' manifest; when
        # what broke is one of them, templates/500.html needs none of them (and is French first all the same).
        logging.getLogger(__name__).exception("The error page failed; the plain one was sent instead")
        return HttpResponseServerError(loader.get_template("500.html").render())
