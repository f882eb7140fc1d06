"""A participatory budget in a chat (core.registry.Conversation): a vote is never cast in a chat. The chat says
so plainly and links to the web ballot, which checks who votes (verification, one ballot per person)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from concerto.core.participation.notifications import absolute_url
from concerto.core.registry import ChatStep, ChatTurn
from concerto.core.spaces.models import Component


def _open(organisation):
    components = (Component.objects.published().of_kind("budgets")
                  .filter(space__organisation=organisation).select_related("space").order_by("pk"))
    return [component for component in components
            if component.space.is_published and component.window("voting_open").open]


def items(organisation) -> list[tuple[str, str]]:
    return [(str(component.pk), component.title) for component in _open(organisation)]


def turn(*, ref: str, state: dict, text: str, payload: str, person, organisation) -> ChatTurn:
    component = next((component for component in _open(organisation) if str(component.pk) == ref), None)
    if component is None:
        return ChatTurn([ChatStep("text", _("This vote is not open."))], done=True)
    space = component.space
    url = absolute_url(reverse("budgets:vote", kwargs={"org_slug": space.organisation.slug,
                                                       "space_slug": space.slug, "component_id": component.pk}))
    return ChatTurn([
        ChatStep("text", _("The vote of “%(title)s” is open. A participatory budget vote is never cast in a chat: "
                           "it is cast on the website, which checks that each resident votes once.")
                 % {"title": component.title}),
        ChatStep("link", _("Vote on the website"), url=url, label=_("Go to the ballot")),
    ], done=True)
