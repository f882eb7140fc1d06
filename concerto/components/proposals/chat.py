"""Proposals in a chat (core.registry.Conversation): the most supported ones, and a support through the same
`support_add` as the web page, with the `chatbot` channel. A support needs an account: an unlinked chat gets
the reason and a link to the proposal on the website."""

from django.utils.translation import gettext as _

from concerto.components.proposals.models import Proposal
from concerto.components.proposals.services import ProposalError, support_add
from concerto.core.accounts.verification import VerificationRequired
from concerto.core.participation.models import Channel
from concerto.core.participation.notifications import absolute_url
from concerto.core.ratelimit import RateLimited
from concerto.core.registry import ChatStep, ChatTurn
from concerto.core.spaces.models import Component

TOP = 5


def items(organisation) -> list[tuple[str, str]]:
    components = (Component.objects.published().of_kind("proposals")
                  .filter(space__organisation=organisation).select_related("space").order_by("pk"))
    return [(str(component.pk), component.title) for component in components if component.space.is_published]


def _top(component) -> list[Proposal]:
    return list(Proposal.objects.public().filter(component=component, merged_into__isnull=True,
                                                 withdrawn_at__isnull=True)
                .order_by("-support_count", "-pk")[:TOP])


def turn(*, ref: str, state: dict, text: str, payload: str, person, organisation) -> ChatTurn:
    component = (Component.objects.published().of_kind("proposals")
                 .filter(space__organisation=organisation, pk=ref if ref.isdigit() else 0).first())
    if component is None:
        return ChatTurn([ChatStep("text", _("These proposals are not open."))], done=True)
    top = _top(component)
    if not top:
        return ChatTurn([ChatStep("text", _("No proposal yet."))], done=True)
    chosen = None
    if payload.startswith("s:"):
        chosen = next((proposal for proposal in top if str(proposal.pk) == payload[2:]), None)
    elif text.strip().isdigit() and 1 <= int(text) <= len(top):
        chosen = top[int(text) - 1]
    if chosen is None:
        lines = "\n".join(f"{number}. {proposal.title} ({proposal.support_count})"
                          for number, proposal in enumerate(top, start=1))
        steps = [] if not (text or payload) else [ChatStep("text", _("Choose one of the proposals listed."))]
        steps.append(ChatStep("question", _("The most supported proposals of “%(title)s” (supports in brackets):\n"
                                            "%(lines)s\nWhich one do you support?")
                              % {"title": component.title, "lines": lines},
                              tuple((_("Support %(number)s") % {"number": number}, f"s:{proposal.pk}")
                                    for number, proposal in enumerate(top, start=1)) + ((_("Menu"), "menu"),)))
        return ChatTurn(steps, state={"shown": True})
    user = person.user if person.user is not None and person.user.is_authenticated else None
    link = ChatStep("link", chosen.title, url=absolute_url(chosen.get_absolute_url()), label=_("See the proposal"))
    try:
        support_add(user=user, proposal=chosen, channel=Channel.CHATBOT)
    except (ProposalError, VerificationRequired, RateLimited) as refused:
        return ChatTurn([ChatStep("text", getattr(refused, "message", "") or str(refused)), link], done=True)
    return ChatTurn([ChatStep("text", _("Thank you, your support of “%(title)s” is counted.")
                              % {"title": chosen.title}), link], done=True)
