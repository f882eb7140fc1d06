"""The agents' pages of mobilisation, mounted at /gestion/ before the back-office's own URLconf: a space's plan
(/gestion/<org>/<space>/plan/...), the organisation's actors (/gestion/<org>/acteurs/...), print kits
(/gestion/<org>/kits/...) and campaigns (/gestion/<org>/campagnes/...); « acteurs », « kits » and « campagnes »
are words a space may not take as its slug."""

from django.urls import path

from concerto.core.mobilisation import backoffice_views as views
from concerto.core.mobilisation import campaign_views, kit_views

ORG = "<slug:org_slug>"
SPACE = "<slug:org_slug>/<slug:space_slug>"

app_name = "mobilisation_backoffice"
urlpatterns = [
    path(f"{ORG}/acteurs/", views.actors, name="actors"),
    path(f"{ORG}/acteurs/nouveau/", views.actor_create, name="actor_create"),
    path(f"{ORG}/acteurs/<int:actor_id>/", views.actor, name="actor"),
    path(f"{ORG}/acteurs/<int:actor_id>/supprimer/", views.actor_delete, name="actor_delete"),
    path(f"{ORG}/acteurs/<int:actor_id>/contacts/<int:contact_id>/retirer/", views.contact_remove,
         name="contact_remove"),
    path(f"{ORG}/kits/", kit_views.kit_list, name="kits"),
    path(f"{ORG}/kits/nouveau/", kit_views.kit_create, name="kit_create"),
    path(f"{ORG}/kits/<int:kit_id>/pdf/", kit_views.kit_download, name="kit_pdf"),
    path(f"{ORG}/kits/<int:kit_id>/supprimer/", kit_views.kit_delete, name="kit_delete"),
    path(f"{ORG}/campagnes/", campaign_views.campaign_list, name="campaigns"),
    path(f"{ORG}/campagnes/nouvelle/", campaign_views.campaign_create, name="campaign_create"),
    path(f"{ORG}/campagnes/<int:campaign_id>/", campaign_views.campaign_edit, name="campaign_edit"),
    path(f"{ORG}/campagnes/<int:campaign_id>/apercu/", campaign_views.campaign_preview, name="campaign_preview"),
    path(f"{ORG}/campagnes/<int:campaign_id>/envoyer/", campaign_views.campaign_send, name="campaign_send"),
    path(f"{ORG}/campagnes/<int:campaign_id>/annuler/", campaign_views.campaign_cancel, name="campaign_cancel"),
    path(f"{ORG}/campagnes/<int:campaign_id>/chiffres/", campaign_views.campaign_figures, name="campaign_figures"),
    path(f"{SPACE}/plan/", views.plan, name="plan"),
    path(f"{SPACE}/plan/publier/", views.plan_publication, {"action": "publish"}, name="plan_publish"),
    path(f"{SPACE}/plan/depublier/", views.plan_publication, {"action": "unpublish"}, name="plan_unpublish"),
    path(f"{SPACE}/plan/<slug:section_slug>/", views.plan_section, name="plan_section"),
    path(f"{SPACE}/plan/<slug:section_slug>/<int:row_id>/retirer/", views.plan_row_remove, name="plan_row_remove"),
    # Actors' members, who contribute « au nom de » them (members.py).
    path(f"{ORG}/acteurs/<int:actor_id>/membres/<int:member_id>/retirer/", views.member_remove, name="member_remove"),
]
