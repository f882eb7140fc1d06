"""The person's page of their chats, /compte/discussions/: the one-time code that links a chat to the account, the
chats linked, and « Délier » (channels/linking.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concerto.channels import linking
from concerto.channels.models import Participant, Platform
from concerto.core.ratelimit import RateLimited


def _page(request, *, code: str = "", expires_at=None, status: int = 200):
    chats = Participant.objects.filter(user=request.user).order_by("-linked_at", "-pk")
    return render(request, "channels/account_chats.html", {
        "chats": chats, "code": linking.code_display(code) if code else "", "expires_at": expires_at,
        "minutes": linking.CODE_MINUTES, "WEB": Platform.WEB,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def chats(request):
    """GET: the page; POST: a new code, shown once on the page (as a new API token is)."""
    if request.method == "GET":
        return _page(request)
    try:
        code, row = linking.link_code_create(user=request.user, sender=f"user:{request.user.pk}")
    except RateLimited as limited:
        messages.error(request, limited.message)
        return _page(request, status=429)
    return _page(request, code=code, expires_at=row.expires_at)


@login_required
@require_POST
def unlink(request, participant_id: int):
    participant = get_object_or_404(Participant, pk=participant_id, user=request.user)
    linking.chat_unlink(actor=request.user, participant=participant)
    messages.success(request, _("The chat is no longer linked to your account."))
    return redirect("channels_account:chats")
