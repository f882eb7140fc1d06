"""Access to the back-office: a role on the organisation and a session confirmed by a second factor."""

from functools import wraps
from urllib.parse import urlencode

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from concerto.core.accounts.models import Role


def session_passed_mfa(request) -> bool:
    """True when this session's login (or a later check) included a second factor."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def mfa_gate(request):
    """None if REQUEST may enter the back-office as far as 2FA goes, else the redirect to send."""
    user = request.user
    if not is_mfa_enabled(user):
        messages.info(request, _("The back-office requires two-factor authentication. "
                                 "Set up an authenticator app to continue."))
        return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
    if not session_passed_mfa(request):
        return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
    return None


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def backoffice_view(permission: str = "backoffice.view_organisation", *, read: str = "", denied=""):
    """Decorate a back-office view whose URL names an organisation (`org_slug`).

    Anonymous people go to the login page; staff without 2FA set it up first; a user without PERMISSION (a
    named `rules` permission, a component's own included) on `request.organisation` gets a 403 page that
    says why (`permissions.refusal_message`: DENIED for a role of the organisation, the truth for an
    elected official). With READ, reading the page (GET) asks READ and only a change (POST) asks PERMISSION:
    an elected official reads the lists an agent works on.

    The view keeps both names (`concerto_read_permission`, `concerto_permission`): `permissions.may_open`
    reads them to link a page only for the people it opens for.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            from concerto.core.accounts.permissions import refusal_message

            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            gate = mfa_gate(request)
            if gate is not None:
                return gate
            needed = (read or permission) if request.method in SAFE_METHODS else permission
            if not request.user.has_perm(needed, request.organisation):
                raise PermissionDenied(refusal_message(request.user, request.organisation, needed, denied))
            return view(request, *args, **kwargs)

        wrapper.concerto_read_permission = read or permission
        wrapper.concerto_permission = permission
        return wrapper

    return decorator


def backoffice_home_view(view):
    """For back-office pages that are not tied to one organisation (the dashboard)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        from concerto.core.accounts.permissions import user_has_backoffice

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_has_backoffice(request.user):
            if Role.objects.filter(user=request.user).pending().exists():
                raise PermissionDenied(_("Your role is waiting for activation: open the link emailed to you, "
                                         "or ask an administrator of your organisation to send it again."))
            raise PermissionDenied(_("Your account has no role in any organisation."))
        gate = mfa_gate(request)
        if gate is not None:
            return gate
        return view(request, *args, **kwargs)

    return wrapper
