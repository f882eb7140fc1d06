"""The public side of the newsletters: an organisation's archive of sent issues, each issue, the counted
redirect of each link, the image whose fetches count the opens, and the unsubscribe address of the emails."""

import base64

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from concerto.core.participation import digests, newsletters
from concerto.core.participation.models import Newsletter

# A transparent 1×1 PNG: the newsletter's image, at the same address for every recipient of an issue.
PIXEL = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
SENT = (Newsletter.Status.SENDING, Newsletter.Status.SENT)


def pixel_response() -> HttpResponse:
    """The transparent image whose fetches count a bulk email's opens (newsletters, campaigns), never cached."""
    response = HttpResponse(PIXEL, content_type="image/png")
    response["Cache-Control"] = "no-cache, max-age=0"
    return response


def _organisation(request):
    if request.organisation is None:
        raise Http404(_("This newsletter does not exist."))
    return request.organisation


@require_safe
def archive(request, org_slug):
    organisation = _organisation(request)
    issues = Newsletter.objects.filter(organisation=organisation, status__in=SENT).order_by("-send_started_at",
                                                                                              "-pk")
    return render(request, "participation/newsletter_archive.html", {"organisation": organisation,
                                                                      "issues": issues})


@require_safe
def detail(request, org_slug, newsletter_id: int):
    organisation = _organisation(request)
    newsletter = Newsletter.objects.filter(organisation=organisation, status__in=SENT, pk=newsletter_id).first()
    if newsletter is None:
        raise Http404(_("This newsletter does not exist."))
    return render(request, "participation/newsletter_detail.html",
                  newsletters.newsletter_context(newsletter, counted=False))


@require_safe
def link(request, org_slug, newsletter_id: int, number: int):
    """Count one click on link NUMBER and go to its stored address (nothing else: no open redirect)."""
    organisation = _organisation(request)
    if not Newsletter.objects.filter(pk=newsletter_id, organisation=organisation).exists():
        raise Http404(_("This link does not exist."))
    url = newsletters.newsletter_link_follow(newsletter_id=newsletter_id, number=number)
    if url is None:
        raise Http404(_("This link does not exist."))
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
def image(request, org_slug, newsletter_id: int):
    """The issue's image: each fetch counts one open (all recipients together; nobody is told apart)."""
    organisation = _organisation(request)
    if not Newsletter.objects.filter(pk=newsletter_id, organisation=organisation).exists():
        raise Http404(_("This image does not exist."))
    if request.method == "GET":
        newsletters.newsletter_open_record(newsletter_id=newsletter_id)
    return pixel_response()


@csrf_exempt  # a secret address, posted to by mail clients (RFC 8058 one-click): no session, no CSRF token
@require_http_methods(["GET", "POST"])
def newsletter_unsubscribe(request, token: str):
    """Stop the newsletters by email without signing in: GET asks to confirm, POST (that button, or a mail
    client's one-click) stops them. The token is the digests' (digests.email_token)."""
    subscription = digests.digest_subscription_for(token)
    if subscription is None:
        return render(request, "participation/newsletter_unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        newsletters.newsletter_unsubscribe(user=subscription.user)
        return render(request, "participation/newsletter_unsubscribe.html", {"done": True})
    return render(request, "participation/newsletter_unsubscribe.html", {
        "done": not newsletters.newsletter_receives(subscription.user)})
