"""The quick polls component: what it tells the registry."""

from django.utils.translation import gettext_lazy as _

from concerto.components.polls import open_datasets
from concerto.core.registry import (
    Action,
    ComponentManifest,
    Conversation,
    Deferred,
    NotificationKind,
    register,
)

AUDIT_LABELS = {
    "polls.poll_created": _("Quick poll created"),
    "polls.poll_updated": _("Quick poll changed"),
    "polls.poll_published": _("Quick poll published"),
    "polls.poll_closed": _("Quick poll closed"),
}

manifest = register(ComponentManifest(
    name="polls",
    url_segment="sondages",
    label=_("Quick polls"),
    description=_("One question, answered in one tap, on the web, through the API or in a chat."),
    public_urls="concerto.components.polls.urls",
    backoffice_urls="concerto.components.polls.backoffice_urls",
    organisation_urls="concerto.components.polls.organisation_urls",
    api_router="concerto.components.polls.api.router",
    actions=(Action("answer", _("Answer a quick poll")),),
    open_datasets=(open_datasets.DATASET,),
    exports={"polls": Deferred("concerto.components.polls.hooks.export_polls")},
    statistics=Deferred("concerto.components.polls.hooks.statistics"),
    summary=Deferred("concerto.components.polls.hooks.summary"),
    personal_data=Deferred("concerto.components.polls.hooks.personal_data"),
    erase_personal_data=Deferred("concerto.components.polls.hooks.erase_personal_data"),
    notifications=(NotificationKind("polls.published", _("Quick polls of the spaces and organisations I follow")),),
    audit_labels=AUDIT_LABELS,
    conversation=Conversation(items=Deferred("concerto.components.polls.chat.items"),
                              turn=Deferred("concerto.components.polls.chat.turn")),
    organisation_block=Deferred("concerto.components.polls.views.organisation_block"),
    digest_section=Deferred("concerto.components.polls.hooks.digest_section"),
    dialogue=Deferred("concerto.components.polls.hooks.dialogue"),
    synthesis=Deferred("concerto.components.polls.synthesis.sections"),
    newsletter_blocks=Deferred("concerto.components.polls.hooks.newsletter_blocks"),
))
