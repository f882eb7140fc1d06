"""The opinion debates component (Polis-style): what it tells the registry."""

from django.utils.translation import gettext_lazy as _

from concerto.core.accounts.permissions import is_manager, is_moderator
from concerto.core.registry import Action, ComponentManifest, Conversation, Deferred, register

# Accepting and rejecting participants' statements: the managers and the organisation's moderators.
MODERATE = "opinions.moderate_statements"

AUDIT_LABELS = {
    "opinions.conversation_created": _("Opinion debate created"),
    "opinions.conversation_updated": _("Opinion debate changed"),
    "opinions.conversation_published": _("Opinion debate published"),
    "opinions.statement_accepted": _("Debate statement accepted"),
    "opinions.statement_rejected": _("Debate statement rejected"),
    "opinions.groups_recompute": _("Opinion groups recomputation asked"),
}

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
    backoffice_urls="concerto.components.opinions.backoffice_urls",
    api_router="concerto.components.opinions.api.router",
    audit_labels=AUDIT_LABELS,
    permissions={MODERATE: is_manager | is_moderator},
    conversation=Conversation(items=Deferred("concerto.components.opinions.chat.items"),
                              turn=Deferred("concerto.components.opinions.chat.turn")),
    synthesis=Deferred("concerto.components.opinions.synthesis.sections"),
))
