"""The public pages of mobilisation: a published plan (« Comment fonctionne cette concertation ») and the short
links, `/l/<code>`."""

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from concerto.core.mobilisation import links, services
from concerto.core.mobilisation.models import AGE_BANDS, ActorKind, Channel
from concerto.core.spaces.lookup import space_for


def plan(request, org_slug, space_slug):
    space = space_for(request, space_slug, published_only=True)
    published = services.public_plan(space)
    if published is None:
        raise Http404
    bands, kinds, channels = dict(AGE_BANDS), dict(ActorKind.choices), dict(Channel.choices)
    return render(request, "mobilisation/plan.html", {
        "space": space, "plan": published,
        "age_bands": [bands[band] for band in published.age_bands if band in bands],
        "actor_kinds": [kinds[kind] for kind in published.actor_kinds if kind in kinds],
        "channels": [channels[channel] for channel in published.channels if channel in channels],
        "stakeholders": published.stakeholders.select_related("actor"),
        "milestones": published.milestones.all(),
    })


@never_cache
def short_link(request, code):
    """A short link printed on a poster or sent in a message: counted, then on to its page (302)."""
    target = links.short_link_follow(request, code)
    if target is None:
        raise Http404
    return HttpResponseRedirect(target)
