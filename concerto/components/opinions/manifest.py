"""The opinions component ("débats d'opinions", as Polis): what it tells the registry.

Its pages (voting one statement at a time, the results page with the opinion map) are for a later session:
for now it holds the conversations, imports Polis openData exports (`manage.py opinion_groups DIR --import-into
ID`) and recomputes the groups on the task worker.
"""

from django.utils.translation import gettext_lazy as _

from concerto.core.registry import ComponentManifest, Deferred, register

manifest = register(ComponentManifest(
    name="opinions",
    url_segment="debats",
    label=_("Opinion debates"),
    description=_("Statements voted agree, disagree or pass; opinion groups and consensus, as in Polis."),
    personal_data=Deferred("concerto.components.opinions.hooks.personal_data"),
    erase_personal_data=Deferred("concerto.components.opinions.hooks.erase_personal_data"),
))
