"""The public page of a published plan: « Comment fonctionne cette concertation »."""

from django.http import Http404
from django.shortcuts import render

from concerto.core.mobilisation import services
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
