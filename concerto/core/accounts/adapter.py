"""Hooks into allauth for Concerto's accounts."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from concerto.core.accounts.permissions import user_has_backoffice


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request) -> str:
        # Staff sign in to work: send them to their back-office rather than to the public home page.
        # allauth gives a `next` parameter priority over this.
        if user_has_backoffice(request.user):
            return reverse("backoffice:dashboard")
        return super().get_login_redirect_url(request)
