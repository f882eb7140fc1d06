"""The public pages of mobilisation: a published plan (« Comment fonctionne cette concertation »), the short
links, `/l/<code>`, and the person's actors (« Mes organisations », /compte/organisations/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from concerto.core.mobilisation import links, members, services
from concerto.core.mobilisation.models import AGE_BANDS, ActorKind, ActorMember, Channel
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


@login_required
def memberships(request):
    """The actors the person was invited to or contributes for: confirm, decline, leave."""
    return render(request, "mobilisation/memberships.html", {"memberships": members.memberships_of(request.user)})


def _own(request, member_id) -> ActorMember:
    # Another person's invitation is a 404: its existence is not theirs to learn.
    return get_object_or_404(ActorMember.objects.select_related("actor__organisation"), pk=member_id,
                             user=request.user)


@require_POST
@login_required
def membership_confirm(request, member_id):
    member = members.member_confirm(user=request.user, member=_own(request, member_id))
    messages.success(request, _("You can now contribute on behalf of %(name)s.") % {"name": member.actor.name})
    return redirect("mobilisation_account:memberships")


@require_POST
@login_required
def membership_leave(request, member_id):
    member = _own(request, member_id)
    members.member_leave(user=request.user, member=member)
    messages.success(request, _("You no longer contribute on behalf of %(name)s. What you signed for it stays as it "
                                "is.") % {"name": member.actor.name})
    return redirect("mobilisation_account:memberships")
