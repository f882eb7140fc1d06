"""Pages every collectivité site must publish: accessibility statement, legal notice, privacy, site map."""

from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("accessibilite/", TemplateView.as_view(template_name="pages/accessibility.html"), name="page_accessibility"),
    path("mentions-legales/", TemplateView.as_view(template_name="pages/legal.html"), name="page_legal"),
    path("donnees-personnelles/", TemplateView.as_view(template_name="pages/privacy.html"), name="page_privacy"),
    path("contact/", TemplateView.as_view(template_name="pages/contact.html"), name="page_contact"),
    path("plan-du-site/", TemplateView.as_view(template_name="pages/sitemap.html"), name="page_sitemap"),
]
