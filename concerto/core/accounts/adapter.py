"""Hooks into allauth for Concerto's accounts."""

import logging
import time

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.urls import reverse
from django.utils.translation import gettext as _

from concerto.core.accounts.models import Role, User
from concerto.core.accounts.permissions import user_has_backoffice
from concerto.core.errors import error_page

logger = logging.getLogger(__name__)


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

    def get_logout_redirect_url(self, request) -> str:
        # Signed in through FranceConnect: leave FranceConnect too, or the next visitor of a shared computer
        # would find its session open. allauth asks this before it clears the session.
        from concerto.core.accounts.franceconnect.logout import end_session_url

        return end_session_url(request) or super().get_logout_redirect_url(request)

    def logout(self, request) -> None:
        # The session is flushed here: the state sent to FranceConnect's logout moves into the new one, so
        # that the way back from FranceConnect can be checked.
        from concerto.core.accounts.franceconnect.logout import keep_state_after_logout

        super().logout(request)
        keep_state_after_logout(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """FranceConnect sign-in: which existing account a FranceConnect identity may open.

    A FranceConnect identity already linked to an account opens it (staff then still type their second
    factor: allauth asks it on every login). Otherwise, when its e-mail address is that of an account:
    - a resident's account whose address was confirmed here is linked and opened: the address was confirmed
      by both sides, so the same person holds the mailbox;
    - an address never confirmed here, or an account with a role, an authenticator or admin access, is not:
      the person signs in with their password (and code), and links FranceConnect from the verification page.
    """

    def pre_social_login(self, request, sociallogin):
        if sociallogin.is_existing or request.user.is_authenticated:
            return
        emails = [address.email for address in sociallogin.email_addresses if address.email]
        if not emails:
            return
        user = User.objects.filter(email__iexact=emails[0]).first()
        if user is None:
            return
        confirmed = EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
        staff = user.is_staff or user.is_superuser or Role.objects.filter(user=user).exists() or \
            Authenticator.objects.filter(user=user).exists()
        if confirmed and user.is_active and not staff:
            sociallogin.connect(request, user)
            return
        raise ImmediateHttpResponse(error_page(
            request, 403, _("Sign in with your password first"),
            _("An account already uses the e-mail address that FranceConnect gave. For your safety it is not "
              "opened through FranceConnect: sign in with your password (and your code, for staff), then use "
              "FranceConnect from the page where you verify your residence."),
            link_url=reverse("account_login"), link_text=_("Sign in with my password")))

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        # The page says it in words (socialaccount/authentication_error.html); the log keeps the cause.
        logger.warning("FranceConnect sign-in failed: %s %s", error, exception)
        return super().on_authentication_error(request, provider, error=error, exception=exception,
                                               extra_context=extra_context)
