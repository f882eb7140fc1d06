"""Public URLs of one opinions component, mounted at /<org_slug>/<space_slug>/debats/<component_id>/: the debates,
voting, writing a statement (and the similar statements shown while it is typed), the results, and the
Polis-format export (export_urls.py)."""

from django.urls import include, path

from concerto.components.opinions import views

urlpatterns = [
    path("", views.conversation_list, name="index"),
    path("<int:conversation_id>/", views.conversation_detail, name="detail"),
    path("<int:conversation_id>/voter/", views.conversation_vote, name="vote"),
    path("<int:conversation_id>/proposer/", views.statement_write, name="write"),
    path("<int:conversation_id>/semblables/", views.statement_similar, name="similar"),
    path("<int:conversation_id>/resultats/", views.conversation_results, name="results"),
    path("", include("concerto.components.opinions.export_urls")),
]
