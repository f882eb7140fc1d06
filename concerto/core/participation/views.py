"""Public participation actions shared by every component: follow, comment, report.

Targets are named by content type and id, so one view serves every component. Each view checks
that the target is something a person may act on here, then calls one service.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concerto.core.participation import services
from concerto.core.participation.forms import CommentForm, ReportForm
from concerto.core.participation.models import Moderated
from concerto.core.spaces.models import Space
from concerto.core.territory.models import Organisation


def get_target(content_type_id: int, object_id: int):
    """The object named by CONTENT_TYPE_ID and OBJECT_ID, or a 404."""
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    if model is None:
        raise Http404(_("This content does not exist."))
    target = model._default_manager.filter(pk=object_id).first()
    if target is None:
        raise Http404(_("This content does not exist."))
    return target


def _followable(request, target) -> bool:
    if isinstance(target, Organisation):
        return True
    if isinstance(target, Space):
        return Space.objects.visible_to(request.user).filter(pk=target.pk).exists()
    return False


def _next_url(request, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return candidate
    return fallback


def _login_first(request, target):
    return redirect_to_login(_next_url(request, target.get_absolute_url()))


@require_POST
def follow(request, content_type_id: int, object_id: int):
    target = get_target(content_type_id, object_id)
    if not _followable(request, target):
        raise Http404(_("This content does not exist."))
    if not request.user.is_authenticated:
        return _login_first(request, target)
    services.follow_add(user=request.user, target=target)
    messages.success(request, _("You follow “%(name)s”. You will get a notification when there is news.")
                     % {"name": target})
    return redirect(_next_url(request, target.get_absolute_url()))


@require_POST
def unfollow(request, content_type_id: int, object_id: int):
    target = get_target(content_type_id, object_id)
    if not _followable(request, target):
        raise Http404(_("This content does not exist."))
    if not request.user.is_authenticated:
        return _login_first(request, target)
    services.follow_remove(user=request.user, target=target)
    messages.success(request, _("You no longer follow “%(name)s”.") % {"name": target})
    return redirect(_next_url(request, target.get_absolute_url()))


@require_POST
def comment(request, content_type_id: int, object_id: int):
    target = get_target(content_type_id, object_id)
    # Content nobody may see stays invisible: a 404, not a hint that it exists.
    if not getattr(target, "is_public", False):
        raise Http404(_("This content does not exist."))
    if not request.user.is_authenticated:
        return _login_first(request, target)
    if not request.user.has_perm("participation.comment", target):
        raise PermissionDenied(_("Comments are closed here."))
    form = CommentForm(request.POST)
    if not form.is_valid():
        return render(request, "participation/comment_form.html", {"form": form, "target": target},
                      status=400)
    created = services.comment_create(author=request.user, target=target, body=form.cleaned_data["body"])
    messages.success(request, _("Your comment is published."))
    return redirect(created.get_absolute_url())


@require_http_methods(["GET", "POST"])
def report(request, content_type_id: int, object_id: int):
    content = get_target(content_type_id, object_id)
    if not isinstance(content, Moderated) or not getattr(content, "is_public", False):
        raise Http404(_("This content does not exist."))
    if not request.user.is_authenticated:
        return _login_first(request, content)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.moderation_report(reporter=request.user, content=content, reason=form.cleaned_data["reason"],
                                   details=form.cleaned_data["details"])
        messages.success(request, _("Thank you. The moderation team will look at this content."))
        return redirect(content.get_absolute_url())
    return render(request, "participation/report_form.html", {"form": form, "content": content},
                  status=400 if form.errors else 200)
