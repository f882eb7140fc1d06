"""The public pages of the resource centre, at /metropole/ressources/: the templates and the guides, and a page for
each. Anyone reads them; an agent signed in is offered to use a template in each organisation they manage."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from concerto.core.accounts.permissions import MANAGER_ROLES, role_organisation_ids
from concerto.core.resources.models import Guide, ProcessTemplate, SharedExample
from concerto.core.territory.models import Organisation


def _metropole():
    return Organisation.objects.filter(kind=Organisation.Kind.METROPOLE).first()


def resource_centre(request):
    kinds, audiences = dict(ProcessTemplate.Kind.choices), dict(ProcessTemplate.Audience.choices)
    filters = {"kind": request.GET.get("type", ""), "audience": request.GET.get("public", "")}
    templates = ProcessTemplate.objects.published().select_related("organisation")
    if filters["kind"] in kinds:
        templates = templates.filter(kind=filters["kind"])
    if filters["audience"] in audiences:
        templates = templates.filter(audience=filters["audience"])
    return render(request, "resources/centre.html", {
        "metropole": _metropole(), "templates": templates, "guides": Guide.objects.filter(published=True),
        "examples": SharedExample.objects.shared().select_related("space", "organisation").prefetch_related("topics"),
        "kinds": ProcessTemplate.Kind.choices, "audiences": ProcessTemplate.Audience.choices, "filters": filters,
    })


def template_detail(request, template_slug):
    template = get_object_or_404(ProcessTemplate.objects.published().select_related("organisation"),
                                 slug=template_slug)
    uses = []
    if request.user.is_authenticated:
        managed = Organisation.objects.filter(pk__in=role_organisation_ids(request.user, MANAGER_ROLES))
        uses = [(organisation, reverse("resources_backoffice:template_use", args=[organisation.slug, template.pk]))
                for organisation in managed.order_by("name")[:20]]
    return render(request, "resources/template_detail.html", {
        "metropole": _metropole(), "template": template, "guides": template.guides.filter(published=True),
        "uses": uses,
    })


def guide_detail(request, guide_slug):
    guide = get_object_or_404(Guide, slug=guide_slug, published=True)
    return render(request, "resources/guide_detail.html", {
        "metropole": _metropole(), "guide": guide,
        "templates": guide.templates.published().order_by("name"),
    })
