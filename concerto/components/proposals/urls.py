"""Public URLs of one proposals component, mounted at /<org_slug>/<space_slug>/propositions/<component_id>/."""

from django.urls import path

from concerto.components.proposals import views

urlpatterns = [
    path("", views.proposal_list, name="index"),
    path("carte.geojson", views.proposal_points, name="points"),
    path("similaires/", views.similar_proposals, name="similar"),
    path("deposer/", views.proposal_create, name="create"),
    path("<int:proposal_id>/", views.proposal_detail, name="detail"),
    path("<int:proposal_id>/modifier/", views.proposal_edit, name="edit"),
    path("<int:proposal_id>/retirer/", views.proposal_withdraw, name="withdraw"),
    path("<int:proposal_id>/soutenir/", views.support_add, name="support"),
    path("<int:proposal_id>/retirer-mon-soutien/", views.support_remove, name="unsupport"),
]
