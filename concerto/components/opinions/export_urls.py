"""The public Polis-format export of a debate, included by the component's public URLconf (urls.py):
/<org_slug>/<space_slug>/debats/<component_id>/<conversation_id>/export/polis.zip and .../export/<file>.csv
(comments, votes, participants-votes)."""

from django.urls import path

from concerto.components.opinions import export

urlpatterns = [
    path("<int:conversation_id>/export/polis.zip", export.export_zip, name="export_zip"),
    path("<int:conversation_id>/export/<slug:name>.csv", export.export_csv, name="export_csv"),
]
