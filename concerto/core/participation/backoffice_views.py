"""The moderators' queue of an organisation: open reports, hide / restore / dismiss, hidden content.

A moderator of an organisation handles the content of that organisation and of those below it (a
territory's moderators help its communes). Content of any other organisation is a 404 here.
"""

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concerto.core.accounts.decorators import backoffice_view
from concerto.core.participation import services
from concerto.core.participation.forms import HideForm
from concerto.core.participation.models import Comment, Moderated, ModerationReport

QUEUE_LIMIT = 200


def _moderated_content(request, content_type_id: int, object_id: int):
    """The moderated object named in the URL, if it belongs to the request's organisation or below."""
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    if model is None or not issubclass(model, Moderated):
        raise Http404(_("This content does not exist."))
    content = model._default_manager.filter(pk=object_id).first()
    organisation = services.organisation_of(content) if content is not None else None
    if organisation is None or organisation.pk not in request.organisation.descendant_ids():
        raise Http404(_("This content does not exist."))
    return content


def _grouped(reports):
    """One row per reported content, with its reports, in the order of the oldest report."""
    rows: dict[tuple[int, int], dict] = {}
    for report in reports:
        key = (report.content_type_id, report.object_id)
        row = rows.setdefault(key, {"content": report.content, "content_type_id": report.content_type_id,
                                    "object_id": report.object_id, "reports": []})
        row["reports"].append(report)
    return [row for row in rows.values() if row["content"] is not None]


@backoffice_view("participation.moderate")
def queue(request, org_slug):
    """The open reports, oldest first: a work queue. Past QUEUE_LIMIT, the page says how many wait; each one
    handled brings the next into view."""
    waiting = ModerationReport.objects.filter(organisation_id__in=request.organisation.descendant_ids(),
                                              status=ModerationReport.Status.OPEN)
    reports = (waiting.select_related("reporter", "organisation").prefetch_related("content")
               .order_by("created_at", "pk")[:QUEUE_LIMIT])
    total = waiting.count()
    return render(request, "participation/backoffice/queue.html", {
        "rows": _grouped(reports),
        "hide_form": HideForm(auto_id=False),
        "waiting": total if total > QUEUE_LIMIT else 0, "shown": QUEUE_LIMIT,
    })


@backoffice_view("participation.moderate")
def hidden(request, org_slug):
    """Hidden comments, plus hidden content of other kinds that reached the queue through a report."""
    organisation_ids = request.organisation.descendant_ids()
    comment_type = ContentType.objects.get_for_model(Comment)
    items = [
        {"content": comment, "content_type_id": comment_type.pk, "object_id": comment.pk}
        for comment in Comment.objects.filter(organisation_id__in=organisation_ids, hidden_at__isnull=False)
        .select_related("author").order_by("-hidden_at")[:QUEUE_LIMIT]
    ]
    other_reports = (
        ModerationReport.objects.filter(organisation_id__in=organisation_ids,
                                        status=ModerationReport.Status.HIDDEN)
        .exclude(content_type=comment_type).prefetch_related("content")[:QUEUE_LIMIT]
    )
    items += [row for row in _grouped(other_reports) if getattr(row["content"], "is_hidden", False)]
    return render(request, "participation/backoffice/hidden.html", {"items": items})


@require_POST
@backoffice_view("participation.moderate")
def hide(request, org_slug, content_type_id: int, object_id: int):
    content = _moderated_content(request, content_type_id, object_id)
    form = HideForm(request.POST)
    if not form.is_valid():
        # The reason is optional, but one that cannot be kept must not be dropped without a word.
        for error in form.errors.get("reason", []):
            messages.error(request, error)
        return redirect("participation_backoffice:queue", org_slug=request.organisation.slug)
    services.moderation_hide(moderator=request.user, content=content, reason=form.cleaned_data["reason"])
    messages.success(request, _("The content is hidden. Its reports are closed."))
    return redirect("participation_backoffice:queue", org_slug=request.organisation.slug)


@require_POST
@backoffice_view("participation.moderate")
def restore(request, org_slug, content_type_id: int, object_id: int):
    content = _moderated_content(request, content_type_id, object_id)
    services.moderation_restore(moderator=request.user, content=content)
    messages.success(request, _("The content is visible again."))
    return redirect("participation_backoffice:hidden", org_slug=request.organisation.slug)


@require_POST
@backoffice_view("participation.moderate")
def dismiss(request, org_slug, content_type_id: int, object_id: int):
    content = _moderated_content(request, content_type_id, object_id)
    services.moderation_dismiss(moderator=request.user, content=content)
    messages.success(request, _("The reports are closed and the content stays visible."))
    return redirect("participation_backoffice:queue", org_slug=request.organisation.slug)
