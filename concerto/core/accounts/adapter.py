"""Hooks into allauth for Concerto's accounts."""

import time

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from django.urls import reverse

from concerto.core.accounts.permissions import user_has_backoffice


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request) -> str:
        # Staff sign in to work: send them to their back-office rather than to the public home page.
        # allauth gives a `next` parameter priority over this.
        if user_has_backoffice(request.user):
            return reverse("backoffice:dashboard")
        return super().get_login_redirect_url(request)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # allauth only trusts an explicit reauthentication; a password (or code) typed at login a
        # moment ago proves as much, and staff sent from login to set up their authenticator app
        # should not be asked for their password twice in a row.
        request = context.request
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            records = get_authentication_records(request, user)
            if records and time.time() - records[-1].get("at", 0) < app_settings.REAUTHENTICATION_TIMEOUT:
                return False
        return super().is_reauthentication_required(app=app, **kwargs)
