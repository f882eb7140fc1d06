"""Pages every collectivité site must publish: accessibility statement, legal notice, privacy, site map."""

from django.shortcuts import render
from django.urls import path
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from concerto.core.accounts.privacy import processors, retention_rules


def period_text(days: int) -> str:
    if days and days % 365 == 0:
        return ngettext("%(count)d year", "%(count)d years", days // 365) % {"count": days // 365}
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def privacy(request):
    """The privacy page, with the retention periods the purge job applies (the same rules and settings) and the
    processors the personal-data providers declare."""
    retention = [{"label": rule.label, "period": period_text(rule.period_days), "since": rule.since,
                  "basis": rule.basis} for rule in retention_rules()]
    return render(request, "pages/privacy.html", {"retention": retention, "processors": processors()})


urlpatterns = [
    path("accessibilite/", TemplateView.as_view(template_name="pages/accessibility.html"), name="page_accessibility"),
    path("mentions-legales/", TemplateView.as_view(template_name="pages/legal.html"), name="page_legal"),
    path("donnees-personnelles/", privacy, name="page_privacy"),
    path("contact/", TemplateView.as_view(template_name="pages/contact.html"), name="page_contact"),
    path("plan-du-site/", TemplateView.as_view(template_name="pages/sitemap.html"), name="page_sitemap"),
]
