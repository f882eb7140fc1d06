"""Back-office of a polls component: list, create, edit (question, answers, dates, target), publish, close, and
the results with the channel of each answer, as a page and as CSV.

Every view is for the organisation named in the URL, and the component must be a polls component of one of its
spaces: anything else is a 404, so the agent of another commune learns nothing."""

import json

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concerto.components.polls import services
from concerto.components.polls.forms import PollForm
from concerto.components.polls.models import Answer, Poll
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.charts import Chart
from concerto.core.exports import export_response
from concerto.core.forms import form_saved
from concerto.core.spaces.lookup import component_for, item_for

MANAGE = "spaces.manage_space"
READ = "spaces.read_space"  # elected officials read the results


def _context(component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            **extra}


@backoffice_view(MANAGE, read=READ)
def poll_list(request, org_slug, space_slug, component_id):
    component = component_for(request, "polls", space_slug=space_slug, component_id=component_id)
    polls = component.polls.select_related("target_organisation").order_by("-created_at")
    return render(request, "polls/backoffice/poll_list.html", _context(component, polls=polls))


def _form_page(request, component, poll):
    organisation = component.space.organisation
    initial = None
    if poll is not None:
        initial = {name: getattr(poll, name) for name in services.EDITABLE_FIELDS}
        initial["choices"] = "\n".join(choice.label for choice in poll.choices.all())
        initial["target_area"] = json.dumps(poll.target_area) if poll.target_area else ""
        initial["opens_at"] = timezone.localtime(poll.opens_at)
        initial["closes_at"] = timezone.localtime(poll.closes_at) if poll.closes_at else None
    else:
        initial = {"opens_at": timezone.localtime().replace(second=0, microsecond=0)}
    form = PollForm(request.POST or None, initial=initial, organisation=organisation)
    if poll is None:
        save = lambda: services.poll_create(  # noqa: E731
            actor=request.user, component=component, publish=request.POST.get("action") == "publish",
            **form.poll_values())
        done = _("The poll is saved.")
    else:
        save = lambda: services.poll_update(actor=request.user, poll=poll, **form.poll_values())  # noqa: E731
        done = _("Your changes are saved.")
    if form_saved(request, form, save, done=done):
        return redirect(component.get_backoffice_url())
    return render(request, "polls/backoffice/poll_form.html", _context(component, form=form, poll=poll),
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def poll_create(request, org_slug, space_slug, component_id):
    component = component_for(request, "polls", space_slug=space_slug, component_id=component_id)
    return _form_page(request, component, None)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def poll_edit(request, org_slug, space_slug, component_id, poll_id):
    component = component_for(request, "polls", space_slug=space_slug, component_id=component_id)
    return _form_page(request, component, item_for(component, Poll, poll_id))


@require_POST
@backoffice_view(MANAGE)
def poll_publish(request, org_slug, space_slug, component_id, poll_id):
    component = component_for(request, "polls", space_slug=space_slug, component_id=component_id)
    services.poll_publish(actor=request.user, poll=item_for(component, Poll, poll_id))
    messages.success(request, _("The poll is published: it takes answers from its opening date."))
    return redirect(component.get_backoffice_url())


@require_POST
@backoffice_view(MANAGE)
def poll_close(request, org_slug, space_slug, component_id, poll_id):
    component = component_for(request, "polls", space_slug=space_slug, component_id=component_id)
    services.poll_close(actor=request.user, poll=item_for(component, Poll, poll_id))
    messages.success(request, _("The poll is closed: everyone now sees its results."))
    return redirect(component.get_backoffice_url())


@backoffice_view(MANAGE, read=READ)
def poll_results_page(request, org_slug, space_slug, component_id, poll_id):
    component = component_for(request, "polls", space_slug=space_slug, component_id=component_id)
    poll = item_for(component, Poll, poll_id)
    results = services.poll_results(poll)
    channels = services.channels_of(poll)
    charts = [
        ("reponses", Chart(title=_("Answers"), rows=[(row["label"], row["count"]) for row in results["choices"]],
              summary=_("%(count)s people answered.") % {"count": results["total"]}, value_label=_("Answers"))),
        ("canaux", Chart(title=_("Answers by channel"), rows=[(row["label"], row["count"]) for row in channels],
                         value_label=_("Answers"))),
    ]
    answers = poll.answers.prefetch_related("choices").order_by("-created_at")[:200]
    return render(request, "polls/backoffice/poll_results.html", _context(
        component, poll=poll, results=results, charts=charts, answers=answers, channel_labels=_channel_labels(),
        weighted=services.weighted_results_of(poll)))


def _channel_labels() -> dict:
    from concerto.core.participation.models import Channel

    return dict(Channel.choices)


COLUMNS = ("answered_at", "channel", "choices", "why")


@backoffice_view(MANAGE, read=READ)
def answers_csv(request, org_slug, space_slug, component_id, poll_id):
    """Every answer (when, channel, choices, why), nothing that names who answered."""
    component = component_for(request, "polls", space_slug=space_slug, component_id=component_id)
    poll = item_for(component, Poll, poll_id)
    labels = _channel_labels()
    rows = ({"answered_at": timezone.localtime(answer.created_at).isoformat(timespec="seconds"),
             "channel": str(labels.get(answer.channel, answer.channel)),
             "choices": " | ".join(choice.label for choice in answer.choices.all()), "why": answer.why}
            for answer in Answer.objects.filter(poll=poll).prefetch_related("choices").order_by("created_at", "pk")
            .iterator(chunk_size=500))
    header = [_("Answered on"), _("Channel"), _("Answers"), _("Why?")]
    return export_response(rows, header, f"sondage-{poll.pk}-reponses.csv", column_keys=COLUMNS)
