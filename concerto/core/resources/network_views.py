"""The network of practice (issue 18), at /gestion/<org>/reseau/: every organisation's back-office shows the same
network, so that any agent reaches it from their own. Any role reads it (2FA, as everywhere in the back-office);
administrators and agents write (an elected official's back-office changes nothing); the Métropole's administrators
and moderators hide comments. Comments are the kernel's, on staff-only targets (`comments_staff_only`)."""

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerto.core.accounts.decorators import backoffice_home_view, backoffice_view
from concerto.core.accounts.permissions import MANAGE, VIEW_ORGANISATION, role_organisation_ids
from concerto.core.forms import form_saved
from concerto.core.french import day_and_hour
from concerto.core.participation.forms import CommentForm
from concerto.core.participation.models import Comment
from concerto.core.participation.services import comment_create, moderation_hide
from concerto.core.ratelimit import rate_limited, sender_of
from concerto.core.resources import services
from concerto.core.resources.forms import NetworkQuestionForm
from concerto.core.resources.models import NetworkQuestion, ProcessTemplate, SharedExample
from concerto.core.resources.permissions import MODERATE_NETWORK
from concerto.core.territory.models import Organisation

# The network's pages by the segment of their address (the org-free links of notifications use it too).
TARGETS = {"modeles": ProcessTemplate, "exemples": SharedExample, "questions": NetworkQuestion}


def _metropole():
    return Organisation.objects.filter(kind=Organisation.Kind.METROPOLE).first()


def _with_comment_counts(queryset):
    """QUERYSET annotated with `comment_count`: its visible comments, in one query."""
    counts = (Comment.objects.visible()
              .filter(target_type=ContentType.objects.get_for_model(queryset.model), target_id=OuterRef("pk"))
              .order_by().values("target_id").annotate(n=Count("pk")).values("n"))
    return queryset.annotate(comment_count=Coalesce(Subquery(counts), 0))


@require_GET
@backoffice_view(VIEW_ORGANISATION)
def home(request, org_slug):
    questions = _with_comment_counts(NetworkQuestion.objects.filter(hidden_at__isnull=True)
                                     .select_related("organisation"))[:50]
    examples = _with_comment_counts(SharedExample.objects.shared().select_related("space", "organisation"))[:50]
    templates = _with_comment_counts(ProcessTemplate.objects.published().select_related("organisation"))
    for question in questions:
        question.when = day_and_hour(question.created_at, "j F Y")
    return render(request, "resources/network/home.html", {
        "questions": questions, "examples": examples, "templates": templates,
        "may_write": request.user.has_perm(MANAGE, request.organisation),
    })


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE, read=MANAGE)
def question_create(request, org_slug):
    form = NetworkQuestionForm(request.POST or None)
    saved = form_saved(request, form, lambda: services.network_question_ask(
        actor=request.user, organisation=request.organisation, **form.cleaned_data),
        done=_("Your question is sent to the agents of every organisation of the Métropole."))
    if saved:
        return redirect("network:question", org_slug, saved.result.pk)
    return render(request, "resources/network/question_form.html", {"form": form},
                  status=400 if form.is_bound and form.errors else 200)


def _thread(request, target):
    """TARGET's comments, one level of replies, oldest first, with what the viewer may do."""
    may_write = request.user.has_perm(MANAGE, request.organisation)
    may_hide = request.user.has_perm(MODERATE_NETWORK, _metropole())
    comments = list(Comment.objects.on(target).select_related("author").order_by("created_at", "pk"))
    top_level, replies = [], {}
    for comment in comments:
        comment.when = day_and_hour(comment.created_at, "j F Y")
        comment.may_hide = may_hide and not comment.is_hidden
        (replies.setdefault(comment.parent_id, []) if comment.parent_id else top_level).append(comment)
    for comment in top_level:
        comment.thread_replies = replies.get(comment.pk, [])
        comment.may_reply = may_write and not comment.is_hidden
    return {"comments": top_level, "count": len(comments), "may_write": may_write, "comment_url": "",
            "body_max_length": CommentForm.base_fields["body"].max_length}


def _discussion(request, target, template: str, context: dict):
    """The page of TARGET with its staff thread; a POST adds a comment or a reply (administrators and agents)."""
    form = CommentForm(request.POST if request.method == "POST" else None, auto_id="id_comment_%s")
    saved = form_saved(request, form, lambda: comment_create(
        sender=sender_of(request), author=request.user, target=target, body=form.cleaned_data["body"],
        parent=form.cleaned_data.get("parent")),
        done=lambda comment: _("Your reply is published.") if comment.parent_id else _("Your comment is published."))
    if saved:
        return redirect(f"{request.path}#commentaire-{saved.result.pk}")
    return render(request, template, {**context, "target": target, "thread": _thread(request, target), "form": form},
                  status=400 if form.is_bound and form.errors else 200)


@require_http_methods(["GET", "POST"])
@rate_limited
@backoffice_view(MANAGE, read=VIEW_ORGANISATION)
def question(request, org_slug, question_id):
    question = get_object_or_404(NetworkQuestion.objects.select_related("organisation", "author"), pk=question_id,
                                 hidden_at__isnull=True)
    question.when = day_and_hour(question.created_at, "j F Y")
    return _discussion(request, question, "resources/network/question.html", {"question": question})


@require_http_methods(["GET", "POST"])
@rate_limited
@backoffice_view(MANAGE, read=VIEW_ORGANISATION)
def template(request, org_slug, template_id):
    template = get_object_or_404(ProcessTemplate.objects.published().select_related("organisation"), pk=template_id)
    return _discussion(request, template, "resources/network/template.html", {"template": template})


@require_http_methods(["GET", "POST"])
@rate_limited
@backoffice_view(MANAGE, read=VIEW_ORGANISATION)
def example(request, org_slug, example_id):
    example = get_object_or_404(SharedExample.objects.shared().select_related("space", "organisation"),
                                pk=example_id)
    return _discussion(request, example, "resources/network/example.html", {"example": example})


@require_POST
@backoffice_view("participation.moderate")
def comment_hide(request, org_slug, comment_id):
    comment = get_object_or_404(Comment, pk=comment_id, target_type__in=[
        ContentType.objects.get_for_model(model) for model in TARGETS.values()])
    if not request.user.has_perm(MODERATE_NETWORK, _metropole()):
        raise PermissionDenied(_("Only the Métropole's administrators and moderators hide comments in the network."))
    if not comment.is_hidden:
        moderation_hide(moderator=request.user, content=comment, reason=(request.POST.get("reason") or "")[:300])
        messages.success(request, _("The comment is hidden."))
    segment = next(name for name, model in TARGETS.items()
                   if ContentType.objects.get_for_model(model).pk == comment.target_type_id)
    return redirect(f"/gestion/{org_slug}/reseau/{segment}/{comment.target_id}/#commentaire-{comment.pk}")


@require_GET
@backoffice_home_view
def go(request, segment, item_id):
    """A notification's link to a page of the network, whatever the reader's organisation: their first one."""
    if segment not in TARGETS:
        raise Http404(_("This page does not exist."))
    organisation = Organisation.objects.filter(pk__in=role_organisation_ids(request.user)).order_by("name").first()
    if organisation is None:
        raise PermissionDenied(_("Your account has no role in any organisation."))
    return redirect(f"/gestion/{organisation.slug}/reseau/{segment}/{item_id}/")
