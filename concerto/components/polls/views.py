"""Public pages of quick polls: a component's polls, one poll (answered in one tap), an organisation's open
polls, and the block of the commune's page (the manifest's `organisation_block`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from concerto.components.polls.eligibility import PollRefused, answer_refusal
from concerto.components.polls.forms import AnswerForm
from concerto.components.polls.models import Poll
from concerto.components.polls.services import has_answered, poll_answer, poll_results
from concerto.core.accounts.verification import VerificationRequired
from concerto.core.charts import Chart
from concerto.core.forms import form_add_errors
from concerto.core.participation.models import Channel
from concerto.core.spaces.lookup import item_for, public_component_for

PER_PAGE = 20


def _related(queryset):
    return queryset.select_related("component__space__organisation", "target_organisation").prefetch_related(
        "choices")


def poll_context(request, poll: Poll, *, form=None) -> dict:
    """What the poll's card needs: the form or the refusal, and the results when the person may see them."""
    answered = has_answered(poll=poll, user=request.user)
    refusal = None if answered else answer_refusal(poll=poll, user=request.user)
    shown = poll.results_shown(answered=answered)
    results = poll_results(poll) if shown else None
    chart = None
    if results is not None:
        chart = Chart(title=_("Results: %(question)s") % {"question": poll.question},
                      rows=[(row["label"], row["count"]) for row in results["choices"]],
                      summary=_("%(count)s people answered.") % {"count": results["total"]},
                      value_label=_("Answers"))
    one_tap = not poll.multiple and poll.why == Poll.Why.NONE and not poll.target_area
    if form is None and not answered and refusal is None:
        form = AnswerForm(poll)
    return {"poll": poll, "answered": answered, "refusal": refusal, "results": results, "chart": chart,
            "chart_id": f"resultats-{poll.pk}", "form": form, "one_tap": one_tap}


def poll_list(request, org_slug, space_slug, component_id):
    component, can_manage = public_component_for(request, "polls", space_slug=space_slug,
                                                 component_id=component_id)
    polls = Poll.objects.filter(component=component)
    if not can_manage:
        polls = polls.filter(published_at__isnull=False)
    page = Paginator(_related(polls), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "polls/poll_list.html", {"component": component, "space": component.space,
                                                     "organisation": component.space.organisation,
                                                     "page": page, "can_manage": can_manage})


def poll_detail(request, org_slug, space_slug, component_id, poll_id):
    """The poll; a POST is an answer (a plain form, or htmx which swaps the poll's card)."""
    component, can_manage = public_component_for(request, "polls", space_slug=space_slug,
                                                 component_id=component_id)
    poll = item_for(component, _related(Poll.objects), poll_id)
    if not (poll.is_published or can_manage):
        raise Http404(_("This poll does not exist or is not published."))
    htmx = bool(request.headers.get("HX-Request"))
    status, form, notice, problem = 200, None, "", ""
    if request.method == "POST":
        form = AnswerForm(poll, request.POST)
        try:
            if not form.is_valid():
                raise ValidationError({})
            poll_answer(poll=poll, user=request.user, channel=Channel.WEB, **form.answer_values())
        except ValidationError as error:
            if getattr(error, "error_dict", None):
                form_add_errors(form, error)
            status = 400
        except (PollRefused, VerificationRequired) as refused:
            form, status, problem = None, 403, refused.message
        else:
            notice = _("Thank you: your answer is recorded.")
            if not htmx:
                messages.success(request, notice)
                return redirect(poll.get_absolute_url())
            form = None
    card = {**poll_context(request, poll, form=form), "notice": notice, "problem": problem}
    context = {"card": card, "component": component, "space": component.space, "can_manage": can_manage,
               "organisation": component.space.organisation}
    # htmx swaps the card only, and needs a 200 to swap it even when the answer was refused.
    if htmx:
        return render(request, "polls/_poll_card.html", context)
    return render(request, "polls/poll_detail.html", context, status=status)


def organisation_polls(organisation, *, limit=None):
    """The open polls of ORGANISATION's page: those that concern it (a commune: its own and those of the territory
    and the Métropole targeted at it), or those of its own spaces (a territory, the Métropole)."""
    polls = Poll.objects.open()
    polls = (polls.concerning(organisation) if organisation.is_commune
             else polls.filter(component__space__organisation=organisation))
    polls = _related(polls).order_by("closes_at", "-pk")
    return list(polls[:limit] if limit else polls)


def organisation_index(request, org_slug):
    organisation = request.organisation
    return render(request, "polls/organisation_polls.html", {
        "organisation": organisation,
        "cards": [poll_context(request, poll) for poll in organisation_polls(organisation)]})


def organisation_block(organisation, request) -> str:
    polls = organisation_polls(organisation, limit=3)
    if not polls:
        return ""
    return render_to_string("polls/_organisation_block.html", {
        "organisation": organisation, "cards": [poll_context(request, poll) for poll in polls]}, request=request)
