"""Broadcasts in the back-office (/gestion/<org>/canaux/diffusions/): an agent of the commune writes a message,
picks topics (or none: every subscriber), sees how many subscribers each platform reaches and how many cannot be
reached and why, previews it, then sends it; the worker sends it in batches (concerto/channels/broadcasts.py)."""

import hashlib

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from concerto.channels import broadcasts, services
from concerto.channels.models import Broadcast, ChatChannel, Platform
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.accounts.permissions import MANAGE
from concerto.core.spaces.models import Topic


class BroadcastForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Message"), max_length=services.BROADCAST_MAX, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Short and plain: %(max)s characters at most. By text message, « STOP au … » is "
                               "added at the end.") % {"max": services.BROADCAST_MAX},
        error_messages={"required": gettext_lazy("Write the message before previewing it."),
                        "max_length": gettext_lazy("The message is too long: %(limit_value)d characters at "
                                                   "most (it has %(show_value)d).")})
    topics = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Topics"), required=False, queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave all unticked to write to every subscriber of the commune."),
        error_messages={"invalid_choice": gettext_lazy("This topic no longer exists: tick the topics again."),
                        "invalid_pk_value": gettext_lazy("This topic no longer exists: tick the topics again.")})


def _audience_rows(reached: dict, unreachable: dict) -> tuple[list, list]:
    labels = dict(Platform.choices)
    return ([(labels.get(platform, platform), count) for platform, count in sorted(reached.items())],
            [(str(broadcasts.REASONS.get(reason, reason)), count) for reason, count in sorted(unreachable.items())])


@require_safe
@backoffice_view(MANAGE)
def broadcast_list(request, org_slug):
    organisation = request.organisation
    rows = []
    for broadcast in Broadcast.objects.filter(organisation=organisation)[:50]:
        reached, unreachable = _audience_rows(broadcast.reached, broadcast.unreachable)
        rows.append({"broadcast": broadcast, "reached": reached, "unreachable": unreachable})
    return render(request, "channels/backoffice/broadcasts.html", {
        "organisation": organisation, "rows": rows,
        "subscribers": broadcasts.subscribers(organisation).count(),
    })


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def broadcast_create(request, org_slug):
    organisation = request.organisation
    form = BroadcastForm(request.POST or None)
    context = {"organisation": organisation, "form": form, "preview": None}
    if request.method == "POST" and form.is_valid():
        text, topics = form.cleaned_data["text"], list(form.cleaned_data["topics"])
        digest = hashlib.sha256(f"{text}|{sorted(topic.pk for topic in topics)}".encode()).hexdigest()[:32]
        if request.POST.get("action") == "send" and request.POST.get("previewed") == digest:
            try:
                broadcast = services.broadcast_send(actor=request.user, organisation=organisation, text=text,
                                                    topics=topics)
            except services.BroadcastRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("The message is being sent to %(count)s subscribers.") % {
                    "count": broadcast.recipients})
                if broadcast.sms_held:
                    messages.info(request, _("Its text messages will go at 8:00 on the next day they are allowed "
                                             "(not at night, on Sundays or on public holidays)."))
                return redirect("channels_backoffice:broadcasts", organisation.slug)
        elif request.POST.get("action") == "send":
            messages.info(request, _("The message or its topics changed since the preview: check the preview "
                                     "again before sending."))
        reached, unreachable = broadcasts.audience(organisation, [topic.pk for topic in topics])
        counts = {platform: len(ids) for platform, ids in reached.items()}
        reached_rows, unreachable_rows = _audience_rows(counts, unreachable)
        number = ChatChannel.objects.filter(organisation=organisation, platform=Platform.SMS,
                                            active=True).values_list("external_id", flat=True).first()
        context["preview"] = {
            "text": text, "topics": topics, "reached": reached_rows, "unreachable": unreachable_rows,
            # Text messages held for the morning go then: their people count among those the message will reach.
            "total": sum(counts.values()) + unreachable.get("quiet_hours", 0), "digest": digest,
            "sms": f"{text}\n{broadcasts.stop_mention(number or '')}" if number else "",
        }
    return render(request, "channels/backoffice/broadcast_form.html", context,
                  status=400 if form.errors else 200)
