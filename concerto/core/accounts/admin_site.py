"""The Django admin, behind the site's own login: allauth's form (with its limits on failed tries) and the
second factor, for everyone who gets in.

Django's admin has its own password form, with no second factor and no limit on wrong guesses. Here it is
never shown: /admin/login/ sends people to allauth's login page (the one the back-office uses, limited to 5
failed tries per address in 5 minutes and 10 a minute per network address), then through the same 2FA gate
as the back-office (set up an authenticator app, or type its code again in this session). allauth's
`secure_admin_login` does the first half only: a signed-in staff member whose session has no second factor
would still get Django's password form, which signs in with a password alone.
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.core.accounts.decorators import mfa_gate, session_passed_mfa


class AdminSite(admin.AdminSite):
    site_header = gettext_lazy("Concerto technical administration")
    site_title = gettext_lazy("Concerto administration")

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and session_passed_mfa(request)

    def login(self, request, extra_context=None):
        next_url = request.GET.get("next") or request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            next_url = ""
        next_url = next_url or reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{resolve_url('account_login')}?{urlencode({'next': next_url})}")
        if not (user.is_active and user.is_staff):
            raise PermissionDenied(_("Your account has no access to the technical administration."))
        request.get_full_path = lambda: next_url  # the 2FA pages send the person on to where they were going
        gate = mfa_gate(request)
        return gate if gate is not None else redirect(next_url)
