"""The person's own account: profile, personal data, notifications, API tokens."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concerto.core.accounts import services
from concerto.core.accounts.decorators import mfa_gate
from concerto.core.accounts.forms import AccountDeleteForm, ApiTokenForm, ProfileForm
from concerto.core.accounts.models import ApiToken
from concerto.core.accounts.permissions import user_has_backoffice
from concerto.core.participation import notifications as pipeline
from concerto.core.participation.models import Notification
from concerto.core.participation.services import notification_mark_read


@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.profile_update(user=user, display_name=form.cleaned_data["display_name"],
                                    demographics=form.demographics())
            if form.has_unconsented_answers() and user.demographics_consent_at is None:
                messages.warning(request, _("Your public name is saved. Your answers about you were not "
                                            "kept, because the consent box was not ticked."))
            else:
                messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(user))
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@require_POST
def demographics_withdraw(request):
    if services.demographics_withdraw(user=request.user):
        messages.success(request, _("Your consent is withdrawn: your year of birth, commune and gender "
                                    "are deleted."))
    return redirect("accounts:profile")


@login_required
def data_export(request):
    if request.method != "POST":
        return render(request, "accounts/data_export.html")
    data = services.account_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"concerto-mes-donnees-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def account_delete(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.account_delete(user=user)
        messages.success(request, _("Your account is deleted. Your comments stay, shown as from an "
                                    "anonymous participant. Thank you for taking part."))
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})


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
    return render(request, "accounts/notification_settings.html", {"kinds": kinds})


@login_required
def notification_open(request, notification_id):
    """Follow a notification's link, marking it read on the way."""
    notification = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    notification_mark_read(user=request.user, notification_ids=[notification.pk])
    safe = notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(notification.url if safe else "accounts:notifications")


@login_required
@require_POST
def notifications_mark_read(request):
    count = notification_mark_read(user=request.user)
    if count:
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("accounts:notifications")


@login_required
def tokens(request):
    # A token writes through the API with the roles of its user, without any further check: staff
    # create one only from a session confirmed by a second factor, as for the back-office.
    if user_has_backoffice(request.user):
        gate = mfa_gate(request)
        if gate is not None:
            return gate
    new_key = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        # The key is shown in this response only, never stored: a fresh form for the next one.
        form = ApiTokenForm()
    return render(request, "accounts/tokens.html", {
        "form": form,
        "new_key": new_key,
        "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at"),
    })


@login_required
@require_POST
def token_revoke(request, token_id):
    if services.api_token_revoke(user=request.user, token_id=token_id):
        messages.success(request, _("The token is revoked: it no longer gives access to the API."))
    else:
        messages.error(request, _("This token does not exist or was already revoked."))
    return redirect("accounts:tokens")
