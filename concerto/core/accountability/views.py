"""The public tracker of decisions and actions (for the whole Métropole, an organisation, a space), a decision's
page, the map of actions, and each person's « Ce qu'est devenue ma contribution »."""

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from concerto.core.accountability import services
from concerto.core.accountability.models import Action, Decision, DecisionLink
from concerto.core.participation.models import Contribution
from concerto.core.spaces.models import Space, Topic
from concerto.core.territory.models import Organisation

ACCOUNT_LIMIT = 200


def _filters(request) -> services.TrackerFilters:
    """The filters of the query string; what cannot be read is left out (never an error)."""
    year = request.GET.get("annee", "")
    stage = request.GET.get("etat", "")
    return services.TrackerFilters(
        stage=stage if stage in {*Action.Stage.values, "late"} else "",
        topic=request.GET.get("theme", "")[:100], commune=request.GET.get("commune", "")[:100],
        year=int(year) if year.isdigit() and 1900 < int(year) < 3000 else None)


def _tracker_page(request, *, organisation_ids, title, organisation=None, space=None, geojson_url=""):
    filters = _filters(request)
    board = services.tracker(organisation_ids=organisation_ids, space=space, filters=filters)
    communes = (Organisation.objects.filter(pk__in=organisation_ids, kind=Organisation.Kind.COMMUNE)
                .order_by("search_name") if len(organisation_ids) > 1 else [])
    return render(request, "accountability/tracker.html", {
        "title": title, "organisation": organisation, "space": space, "board": board,
        "decisions": board["decisions"][:100], "filters": filters, "stages": Action.Stage.choices,
        "years": services.years_of(organisation_ids), "communes": communes,
        "topics": Topic.objects.order_by("name"), "geojson_url": geojson_url,
        "has_points": board["actions"].filter(latitude__isnull=False).exists(),
    })


def metropole_tracker(request):
    return _tracker_page(request, organisation_ids=list(Organisation.objects.values_list("pk", flat=True)),
                         title=_("What became of the contributions in the Métropole"),
                         geojson_url=reverse("accountability_site:actions_geojson"))


def organisation_tracker(request, org_slug):
    organisation = request.organisation
    return _tracker_page(request, organisation_ids=organisation.descendant_ids(), organisation=organisation,
                         title=_("What became of the contributions: %(name)s") % {"name": organisation.name},
                         geojson_url=reverse("accountability:actions_geojson", args=[org_slug]))


def space_tracker(request, org_slug, space_slug):
    space = Space.objects.published().filter(organisation=request.organisation, slug=space_slug).first()
    if space is None:
        raise Http404(_("This participation space does not exist or is not published."))
    return _tracker_page(request, organisation_ids={request.organisation.pk}, organisation=request.organisation,
                         space=space, title=_("Decisions and actions: %(title)s") % {"title": space.title},
                         geojson_url=reverse("accountability:actions_geojson", args=[org_slug]) + f"?espace={space.pk}")


def decision_detail(request, org_slug, decision_id):
    decision = get_object_or_404(Decision.objects.public().select_related("organisation", "space"),
                                 pk=decision_id, organisation=request.organisation)
    return render(request, "accountability/decision_detail.html", {
        "decision": decision, "links": decision.links.all(),
        "actions": decision.actions.prefetch_related("updates", "photos"),
    })


def actions_geojson(request, org_slug=None):
    """The located actions of the tracker, as a GeoJSON FeatureCollection (for the map)."""
    actions = Action.objects.public().filter(latitude__isnull=False).select_related("decision__organisation")
    if org_slug is not None:
        actions = actions.filter(decision__organisation_id__in=request.organisation.descendant_ids())
    space_id = request.GET.get("espace", "")
    if space_id.isdigit():
        actions = actions.filter(decision__space_id=int(space_id))
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [a.longitude, a.latitude]},
                 "properties": {"title": f"{a.title} ({a.get_stage_display()})", "url": a.get_absolute_url()}}
                for a in actions[:2000]]
    return JsonResponse({"type": "FeatureCollection", "features": features},
                        content_type="application/geo+json")


def _linkable_subject(item):
    """ITEM itself when a decision may answer it, else what it is about (a support's proposal, a comment's
    page): one step along its relations."""
    labels = services.linkables()
    if item is None or item._meta.label in labels:
        return item
    for field in item._meta.get_fields():
        if field.many_to_one and field.related_model is not None and field.related_model._meta.label in labels:
            return getattr(item, field.name, None)
    target = getattr(item, "target", None)
    return target if target is not None and target._meta.label in labels else None


@login_required
def my_contributions(request):
    """« Ce qu'est devenue ma contribution »: everything the person contributed (every channel, what agents typed
    in for them included), newest first, each with the decisions that answered it."""
    rows = list(Contribution.objects.filter(author=request.user).select_related("organisation")
                .order_by("-created_at", "-pk")[:ACCOUNT_LIMIT])
    by_type: dict[int, set[int]] = {}
    for row in rows:
        by_type.setdefault(row.target_type_id, set()).add(row.target_id)
    loaded = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is not None:
            loaded.update({(type_id, obj.pk): obj for obj in model._default_manager.filter(pk__in=ids)})
    items, seen = [], set()
    for row in rows:
        subject = _linkable_subject(loaded.get((row.target_type_id, row.target_id)))
        if subject is None:
            continue
        key = (subject._meta.label, subject.pk)
        if key in seen:
            continue
        seen.add(key)
        items.append({"row": row, "subject": subject, "title": services.item_title(subject),
                      "kind": subject._meta.verbose_name, "url": subject.get_absolute_url(),
                      "links": services.trail_of(subject)})
    return render(request, "accountability/my_contributions.html", {
        "items": items, "answered": sum(1 for item in items if item["links"]),
        "statuses": dict(DecisionLink.Status.choices),
    })
