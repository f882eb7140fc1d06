"""Reading verifications: is a person a verified resident here, and where do they verify."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from concerto.core.accounts.models import (
    Verification,
)

METHOD_LABELS = {
    Verification.Method.CENSUS: gettext_lazy("Census list"),
    Verification.Method.CODE: gettext_lazy("Code by text message or by post"),
    Verification.Method.DESK: gettext_lazy("At a desk"),
    Verification.Method.FRANCECONNECT: gettext_lazy("FranceConnect"),
}


def verification_for(*, user, organisation) -> Verification | None:
    if not getattr(user, "is_authenticated", False):
        return None
    ids = organisation.descendant_ids() | {organisation.pk}
    return (Verification.objects.filter(user=user, organisation_id__in=ids, revoked_at__isnull=True)
            .select_related("organisation").order_by("-created_at").first())


def _age_on(birth_date, day) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def is_verified(*, user, organisation, min_age: int | None = None, on=None) -> bool:
    verification = verification_for(user=user, organisation=organisation)
    if verification is None:
        return False
    if min_age:
        if verification.birth_date is None:
            return False
        return _age_on(verification.birth_date, on or timezone.localdate()) >= min_age
    return True


def verification_organisations(*, scope=None):
    """The communes (in SCOPE, if given) where a resident can verify online: a census list or codes."""
    from concerto.core.territory.models import Organisation

    communes = Organisation.objects.communes().filter(
        verification_setup__isnull=False).select_related("verification_setup")
    if scope is not None:
        communes = communes.filter(pk__in=scope.descendant_ids())
    return [c for c in communes.order_by("name") if c.verification_setup.offers_any_method]


def safe_next(url: str, request=None) -> str:
    """URL if it is a path on this site, else "" (never send a resident to another site)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    url = (url or "").strip()
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return ""
    hosts = {request.get_host()} if request is not None else set()
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=hosts, require_https=False) else ""


def verification_url(*, organisation=None, next_url: str = "") -> str:
    """Where a resident verifies their residence, for ORGANISATION (a commune, or a territory whose
    communes they choose from), coming back to NEXT_URL (a local path) afterwards."""
    from concerto.core.territory.models import Organisation

    query = {}
    if organisation is not None and organisation.kind == Organisation.Kind.COMMUNE:
        url = reverse("accounts:verification_start", kwargs={"org_slug": organisation.slug})
    else:
        url = reverse("accounts:verification")
        if organisation is not None:
            query["scope"] = organisation.slug
    next_url = safe_next(next_url)
    if next_url:
        query["next"] = next_url
    return f"{url}?{urlencode(query)}" if query else url
