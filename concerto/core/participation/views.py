"""Public participation actions shared by every component: follow, comment, report; and the person's
notifications pages.

Targets are named by content type and id, so one view serves every component. Each view checks
that the target is something a person may act on here, then calls one service.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from concerto.core.participation import digests, feed, push, services
from concerto.core.participation import notifications as pipeline
from concerto.core.participation.behalf import FIELD as BEHALF_FIELD
from concerto.core.participation.behalf import behalf_field_add
from concerto.core.participation.forms import CommentForm, CommentVoteForm, PlaceFollowForm, ReportForm
from concerto.core.participation.models import (
    Comment,
    DigestSubscription,
    FollowedPlace,
    Moderated,
    Notification,
)
from concerto.core.ratelimit import rate_limited, sender_of
from concerto.core.spaces.models import Space, Topic
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
    if isinstance(target, Organisation | Topic):
        return True
    if isinstance(target, Space):
        return Space.objects.visible_to(request.user).filter(pk=target.pk).exists()
    # What a component publishes (a proposal, a project...) may be followed while anyone may see it.
    return (hasattr(target, "component") and hasattr(target, "get_absolute_url")
            and bool(getattr(target, "is_public", False)))


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
    # Someone who follows an object that is no longer public can still stop following it.
    if not _followable(request, target) and not services.is_following(user=request.user, target=target):
        raise Http404(_("This content does not exist."))
    if not request.user.is_authenticated:
        return _login_first(request, target)
    services.follow_remove(user=request.user, target=target)
    messages.success(request, _("You no longer follow “%(name)s”.") % {"name": target})
    return redirect(_next_url(request, target.get_absolute_url()))


@require_POST
@rate_limited
def comment(request, content_type_id: int, object_id: int):
    """A new comment on the target, or a reply when the form names a `parent` comment."""
    target = get_target(content_type_id, object_id)
    # Content nobody may see stays invisible: a 404, not a hint that it exists.
    if not getattr(target, "is_public", False):
        raise Http404(_("This content does not exist."))
    if not request.user.is_authenticated:
        return _login_first(request, target)
    if not request.user.has_perm("participation.comment", target):
        raise PermissionDenied(_("Comments are closed here."))
    is_reply = bool(request.POST.get("parent"))
    form = behalf_field_add(CommentForm(request.POST, stances=Comment.stances_offered(target) and not is_reply),
                            request.user, services.organisation_of(target))
    if form.is_valid():
        try:
            created = services.comment_create(
                sender=sender_of(request), author=request.user, target=target, body=form.cleaned_data["body"],
                parent=form.cleaned_data.get("parent"), stance=form.cleaned_data.get("stance", ""),
                on_behalf_of=form.cleaned_data.get(BEHALF_FIELD),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields and field != "parent" else None, problems)
        else:
            messages.success(request, _("Your reply is published.") if created.parent_id
                             else _("Your comment is published."))
            return redirect(created.get_absolute_url())
    return render(request, "participation/comment_form.html",
                  {"form": form, "target": target, "is_reply": is_reply}, status=400)


@require_POST
def comment_vote(request, object_id: int):
    """Agree or disagree with comment OBJECT_ID; the same button again takes the vote back.

    A plain form post comes back to the comment; an HTMX request gets the vote buttons alone."""
    comment = Comment.objects.select_related("author").filter(pk=object_id).first()
    if comment is None or not comment.is_public:
        raise Http404(_("This content does not exist."))
    if not request.user.is_authenticated:
        response = _login_first(request, comment)
        # HTMX would otherwise swap the sign-in page into the comment: send the whole page there.
        return HttpResponseClientRedirect(response.url) if request.htmx else response
    form = CommentVoteForm(request.POST)
    problem = ""
    if not form.is_valid():
        problem = " ".join(form.errors["value"])
        if not request.htmx:
            return render(request, "core/error.html", {"title": _("Your vote was not recorded"),
                                                       "message": problem}, status=400)
    else:
        try:
            services.comment_vote(user=request.user, comment=comment, value=form.cleaned_data["value"])
        except PermissionDenied as refusal:
            if not request.htmx:
                raise
            problem = str(refusal)
    if request.htmx:
        # The buttons replace themselves; a refusal shows next to them rather than in a page HTMX drops.
        comment = Comment.objects.with_votes(request.user).select_related("author").get(pk=comment.pk)
        comment.votable = not problem
        return render(request, "participation/_comment_votes.html", {
            "comment": comment, "vote_error": problem,
            "vote_next": request.htmx.current_url_abs_path or comment.get_absolute_url().split("#")[0],
        })
    return redirect(_next_url(request, comment.get_absolute_url()))


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


# The person's notifications, under /compte/notifications/ with the `accounts:` URL names (participation.urls
# .account_urlpatterns, mounted with the accounts' own by concerto/urls.py); the templates stay in accounts/.


@login_required
def notifications(request):
    items = Notification.objects.filter(recipient=request.user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-pk"
    )
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {
        "page": page,
        "unread_count": items.filter(read_at__isnull=True).count(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    """Which kinds of notification the person gets, on the site and by email."""
    if request.method == "POST":
        wanted = {tuple(value.split(" ", 1)) for value in request.POST.getlist("wanted") if " " in value}
        pipeline.notification_preferences_save(user=request.user, wanted=wanted)
        messages.success(request, _("Your choices are saved."))
        return redirect("accounts:notification_settings")
    labels = {channel.name: channel.label for channel in pipeline.channels()}
    kinds = [(kind, [(name, labels[name], on) for name, on in offered.items()])
             for kind, offered in pipeline.notification_preferences(request.user)]
    digest = DigestSubscription.objects.filter(user=request.user).first()
    return render(request, "accounts/notification_settings.html", {
        "kinds": kinds, "push_key": push.vapid_public_key(),
        "digest_choices": DigestSubscription.Frequency.choices,
        "digest_frequency": digest.frequency if digest else DigestSubscription.Frequency.NONE})


def service_worker(request):
    """/sw.js: the service worker, served from the site's root so that its scope is the whole site. It shows
    the push messages (push.py) and opens their link when tapped."""
    response = HttpResponse(render_to_string("participation/sw.js"), content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


def _push_request(request) -> dict | None:
    try:
        data = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("endpoint"), str) else None


@login_required
@require_POST
def push_subscribe(request):
    """This device's browser subscribed to push: the JSON of its PushSubscription, posted by push.js."""
    data = _push_request(request)
    keys = data.get("keys") if data else None
    if data is None or not isinstance(keys, dict):
        return JsonResponse({"error": _("This push subscription is not valid.")}, status=400)
    try:
        services.push_subscription_save(user=request.user, endpoint=data["endpoint"],
                                        p256dh=str(keys.get("p256dh") or ""), auth=str(keys.get("auth") or ""))
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    return JsonResponse({"message": _("Notifications are on for this device.")}, status=201)


@login_required
@require_POST
def push_unsubscribe(request):
    """This device no longer wants push: its endpoint, posted by push.js."""
    data = _push_request(request)
    if data is None:
        return JsonResponse({"error": _("This push subscription is not valid.")}, status=400)
    services.push_subscription_delete(user=request.user, endpoint=data["endpoint"])
    return JsonResponse({"message": _("Notifications are off for this device.")})


@login_required
def notification_open(request, notification_id):
    """Follow a notification's link, marking it read on the way."""
    notification = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    services.notification_mark_read(user=request.user, notification_ids=[notification.pk])
    safe = notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(notification.url if safe else "accounts:notifications")


@login_required
@require_POST
def notifications_mark_read(request):
    count = services.notification_mark_read(user=request.user)
    if count:
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("accounts:notifications")


# The person's feed --------------------------------------------------------------------------------------------

def _feed_render(request, place_form=None, status=200):
    sections = feed.feed_sections()
    section = request.GET.get("type", "")
    if section not in {prefix for prefix, _label in sections}:
        section = ""
    cursor = request.GET.get("avant", "")[:80]
    page = feed.feed_page(user=request.user, cursor=cursor, section=section)
    if not cursor and not section and request.method == "GET":
        feed.feed_mark_seen(user=request.user)
    return render(request, "participation/feed.html", {
        "page": page, "sections": sections, "section": section, "cursor": cursor,
        "follows": services.follows_of(user=request.user),
        "places": FollowedPlace.objects.filter(user=request.user),
        "topics": Topic.objects.all(), "topics_followed": feed.topics_followed(user=request.user),
        "place_form": place_form or PlaceFollowForm(),
        "atom_url": request.build_absolute_uri(reverse("feed_atom", args=[feed.feed_token_for(user=request.user)])),
    }, status=status)


@login_required
def my_feed(request):
    """What is new in what the person follows, newest first; entries newer than their last visit are marked."""
    return _feed_render(request)


@login_required
@require_POST
def my_feed_place_add(request):
    """Follow what happens around an address or a point; a form with errors comes back filled in."""
    form = PlaceFollowForm(request.POST)
    if form.is_valid():
        point = form.cleaned_data["location"]
        try:
            feed.place_follow(user=request.user, label=point.address, latitude=point[0], longitude=point[1],
                              radius=form.cleaned_data["radius"])
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, _("You now follow this place: what happens around it shows in your feed."))
            return redirect("feed")
    return _feed_render(request, place_form=form, status=400)


@login_required
@require_POST
def my_feed_topics(request):
    """The topics the person follows: exactly those ticked."""
    chosen = {value for value in request.POST.getlist("topics") if value.isdigit()}
    services.topics_follow_set(user=request.user, topics=Topic.objects.filter(pk__in=chosen))
    messages.success(request, _("Your topics are saved."))
    return redirect("feed")


def topic_detail(request, slug: str):
    """A topic of the Métropole: what is new in it everywhere, newest first, and a button to follow it."""
    topic = get_object_or_404(Topic, slug=slug)
    cursor = request.GET.get("avant", "")[:80]
    return render(request, "participation/topic.html", {
        "topic": topic, "page": feed.topic_page(topic=topic, cursor=cursor), "cursor": cursor})


@login_required
@require_POST
def my_feed_place_remove(request, place_id: int):
    if feed.place_unfollow(user=request.user, place_id=place_id):
        messages.success(request, _("You no longer follow this place."))
    return redirect("feed")


@login_required
@require_POST
def my_feed_renew(request):
    """A new secret address for the person's Atom feed; the old one stops working."""
    feed.feed_token_for(user=request.user, renew=True)
    messages.success(request, _("Your feed has a new address; the old one no longer works."))
    return redirect("feed")


def my_feed_atom(request, token: str):
    """The person's feed as Atom 1.0, at a secret address that feed readers open without signing in."""
    user = feed.feed_user(token)
    if user is None:
        raise Http404(_("This feed does not exist or its address has changed."))
    page = feed.feed_page(user=user, size=50)
    document = Atom1Feed(
        title=_("My Concerto feed"), link=request.build_absolute_uri(reverse("feed")),
        description=_("What is new in what I follow"), language=translation.get_language() or "fr",
        feed_url=request.build_absolute_uri(), feed_guid=request.build_absolute_uri(reverse("feed")))
    for entry in page.entries:
        link = request.build_absolute_uri(entry.url)
        document.add_item(title=entry.title, link=link, description=entry.summary, unique_id=f"{link}#{entry.kind}",
                          pubdate=entry.published_at, updateddate=entry.published_at,
                          categories=[entry.organisation.name])
    response = HttpResponse(document.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def digest_settings(request):
    """How often the person gets the email digest: none, every day or every week (the settings page's form)."""
    frequency = request.POST.get("frequency", "")
    if frequency not in DigestSubscription.Frequency.values:
        messages.error(request, _("Choose how often you want the digest."))
    else:
        digests.digest_subscription_set(user=request.user, frequency=frequency)
        messages.success(request, _("Your choices are saved."))
    return redirect("accounts:notification_settings")


@csrf_exempt  # a secret address, posted to by mail clients (RFC 8058 one-click): no session, no CSRF token
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request, token: str):
    """Stop the digests without signing in: GET asks to confirm with a button, POST (that button, or a mail
    client's one-click) stops them."""
    subscription = digests.digest_subscription_for(token)
    if subscription is None:
        # A page of its own rather than the site's 404: it says what happened and where to go instead.
        return render(request, "participation/digest_unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        digests.digest_unsubscribe(subscription=subscription)
        return render(request, "participation/digest_unsubscribe.html", {"done": True})
    return render(request, "participation/digest_unsubscribe.html", {
        "done": subscription.frequency == DigestSubscription.Frequency.NONE})
