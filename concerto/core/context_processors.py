from django.conf import settings
from django.utils.module_loading import import_string

from concerto.core.accounts.permissions import user_has_backoffice
from concerto.core.territory.models import Organisation


def site(request):
    """What every page needs: the Métropole, the current organisation and its look, the user's links."""
    organisation = getattr(request, "organisation", None)
    metropole = Organisation.objects.filter(kind=Organisation.Kind.METROPOLE).first()
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    accent = ""
    for org in [organisation, *(organisation.ancestors() if organisation else [])]:
        if org is not None and org.accent_color:
            accent = org.accent_color
            break
    return {
        "metropole": metropole,
        "current_organisation": organisation,
        "accent_color": accent,
        "has_backoffice": user_has_backoffice(user) if user is not None else False,
        "unread_notifications": unread,
        "LANGUAGES": settings.LANGUAGES,
        # The demo (`make run`) keeps the e-mails it sends in an inbox page of its own: the pages that say
        # « check your e-mail » point to it. Its backend says so; the kernel does not know the demo.
        "demo_inbox": settings.DEBUG and getattr(import_string(settings.EMAIL_BACKEND), "demo_inbox", False),
    }
