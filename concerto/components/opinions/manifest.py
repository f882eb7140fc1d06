"""The opinion debates component (Polis-style): what it tells the registry."""

from django.utils.translation import gettext_lazy as _

from concerto.core.registry import Action, ComponentManifest, Deferred, register

manifest = register(ComponentManifest(
    name="opinions",
    url_segment="debats",
    label=_("Opinion debates"),
    description=_("Statements voted agree, disagree or pass; opinion groups and consensus, as in Polis."),
    public_urls="concerto.components.opinions.urls",
    personal_data=Deferred("concerto.components.opinions.hooks.personal_data"),
    erase_personal_data=Deferred("concerto.components.opinions.hooks.erase_personal_data"),
    actions=(Action("vote", _("Vote on the statements of a debate")),
             Action("write_statement", _("Write a statement in a debate"))),
    statistics=Deferred("concerto.components.opinions.hooks.statistics"),
    summary=Deferred("concerto.components.opinions.hooks.summary"),
))
