"""Back-office URLs, mounted at /gestion/.

The pages of an organisation (/gestion/<org>/equipe/...) share the level of its spaces
(/gestion/<org>/<space>/), so the space converter refuses those words: /gestion/<org>/moderation/ then
reaches the moderation queue mounted after this URLconf. Space slugs may not take them either
(concerto.core.spaces.services.BACKOFFICE_WORDS).
"""

from django.urls import path, register_converter

from concerto.core.backoffice import overview_views, quartiers_views, synthesis_views, verification_views, views
from concerto.core.spaces.services import BACKOFFICE_WORDS
from concerto.core.texts import views as theme_views


class SpaceSlugConverter:
    regex = r"(?!(?:" + "|".join(sorted(BACKOFFICE_WORDS)) + r")/)[-a-zA-Z0-9_]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SpaceSlugConverter, "space")

ORG = "<slug:org_slug>"
SPACE = "<slug:org_slug>/<space:space_slug>"

app_name = "backoffice"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(f"{ORG}/", views.organisation, name="organisation"),
    path(f"{ORG}/espaces/nouveau/", views.space_create, name="space_create"),
    path(f"{ORG}/equipe/", views.roles, name="roles"),
    path(f"{ORG}/equipe/<int:role_id>/retirer/", views.role_revoke, name="role_revoke"),
    path(f"{ORG}/equipe/<int:role_id>/renvoyer-le-lien/", views.role_link_resend, name="role_link_resend"),
    path(f"{ORG}/equipe/<int:role_id>/activer-au-guichet/", views.role_desk_activate, name="role_desk_activate"),
    path(f"{ORG}/equipe/<int:role_id>/reinitialiser-2fa/", views.role_second_factor_reset,
         name="role_second_factor_reset"),
    path(f"{ORG}/reglages/", views.organisation_settings, name="settings"),
    path(f"{ORG}/journal/", views.audit, name="audit"),
    # Resident verification ("residents" must stay out of space slugs: see BACKOFFICE_WORDS).
    path(f"{ORG}/residents/", verification_views.overview, name="verification_overview"),
    path(f"{ORG}/residents/liste/", verification_views.census, name="verification_census"),
    path(f"{ORG}/residents/liste/supprimer/", verification_views.census_delete, name="verification_census_delete"),
    path(f"{ORG}/residents/guichet/", verification_views.desk, name="verification_desk"),
    path(f"{ORG}/residents/courriers/", verification_views.letters, name="verification_letters"),
    path(f"{ORG}/residents/courriers/<int:code_id>/annuler/", verification_views.letter_cancel,
         name="verification_letter_cancel"),
    path(f"{ORG}/residents/<int:verification_id>/revoquer/", verification_views.revoke,
         name="verification_revoke"),
    # Quartiers of a commune ("quartiers" must stay out of space slugs: see BACKOFFICE_WORDS).
    path(f"{ORG}/quartiers/", quartiers_views.quartiers, name="quartiers"),
    path(f"{ORG}/quartiers/nouveau/", quartiers_views.quartier_create, name="quartier_create"),
    path(f"{ORG}/quartiers/<int:quartier_id>/", quartiers_views.quartier, name="quartier"),
    path(f"{ORG}/quartiers/<int:quartier_id>/supprimer/", quartiers_views.quartier_remove, name="quartier_delete"),
    # The participation overview ("participation" must stay out of space slugs: see BACKOFFICE_WORDS).
    path(f"{ORG}/participation/", overview_views.organisation_overview, name="overview"),
    path(f"{ORG}/participation/export.csv", overview_views.organisation_overview_csv, name="overview_csv"),
    path(f"{ORG}/participation/dialogue/", overview_views.dialogue, name="dialogue"),
    path(f"{ORG}/participation/dialogue/export.csv", overview_views.dialogue_csv, name="dialogue_csv"),
    path(f"{SPACE}/participation/", overview_views.space_overview, name="space_overview"),
    path(f"{SPACE}/participation/export.csv", overview_views.space_overview_csv, name="space_overview_csv"),
    path(f"{SPACE}/synthese/", synthesis_views.space_synthesis, name="space_synthesis"),
    path(f"{SPACE}/synthese/imprimer/", synthesis_views.space_synthesis_print, name="space_synthesis_print"),

    # Themes of the space's free texts (core/texts).
    path(f"{SPACE}/themes/", theme_views.theme_list, name="themes"),
    path(f"{SPACE}/themes/recalculer/", theme_views.theme_recompute, name="themes_recompute"),
    path(f"{SPACE}/themes/<int:theme_id>/renommer/", theme_views.theme_rename, name="theme_rename"),
    path(f"{SPACE}/themes/<int:theme_id>/fusionner/", theme_views.theme_merge, name="theme_merge"),
    path(f"{SPACE}/themes/<int:theme_id>/scinder/", theme_views.theme_split, name="theme_split"),
    path(f"{SPACE}/themes/deplacer-un-texte/", theme_views.text_move, name="theme_text_move"),
    path(f"{SPACE}/", views.space, name="space"),
    path(f"{SPACE}/modifier/", views.space_edit, name="space_edit"),
    path(f"{SPACE}/publier/", views.space_status, {"action": "publish"}, name="space_publish"),
    path(f"{SPACE}/depublier/", views.space_status, {"action": "unpublish"}, name="space_unpublish"),
    path(f"{SPACE}/archiver/", views.space_status, {"action": "archive"}, name="space_archive"),
    path(f"{SPACE}/etapes/nouvelle/", views.step_create, name="step_create"),
    path(f"{SPACE}/etapes/<int:step_id>/", views.step_edit, name="step_edit"),
    path(f"{SPACE}/etapes/<int:step_id>/supprimer/", views.step_delete, name="step_delete"),
    path(f"{SPACE}/composants/nouveau/", views.component_add, name="component_add"),
    path(f"{SPACE}/composants/<int:component_id>/", views.component_settings, name="component"),
    path(f"{SPACE}/composants/<int:component_id>/publier/", views.component_status, {"action": "publish"},
         name="component_publish"),
    path(f"{SPACE}/composants/<int:component_id>/depublier/", views.component_status,
         {"action": "unpublish"}, name="component_unpublish"),
    path(f"{SPACE}/composants/<int:component_id>/monter/", views.component_move, {"direction": "up"},
         name="component_up"),
    path(f"{SPACE}/composants/<int:component_id>/descendre/", views.component_move, {"direction": "down"},
         name="component_down"),
    path(f"{SPACE}/composants/<int:component_id>/supprimer/", views.component_delete, name="component_delete"),
]
