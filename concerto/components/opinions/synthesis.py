"""The opinion debates' part of a space's synthesis for elected officials (the manifest hook `synthesis`, named by
the manifest that comes with the component's pages): for each conversation, who voted, its opinion groups (their
sizes and representative statements, with the share of the group that agreed) and the statements every group
agreed on, read from its last GroupsResult; when there are no groups, why, and the votes on the statements."""

import re
from collections import Counter

from django.utils.translation import gettext as _

from concerto.components.opinions.models import Conversation, GroupsResult, Statement, Vote
from concerto.core.synthesis import Figure, Quote, Row, Section, Table, component_link, quoted

STATEMENTS = 10  # rows of the votes' table when there are no groups


def group_label(index) -> str:
    """« Groupe A », « Groupe B »...: Polis names its groups with letters."""
    return _("Group %(letter)s") % {"letter": chr(ord("A") + int(index))}


def no_groups_reason(result: GroupsResult | None) -> str:
    """Why a conversation has no groups, in the reader's language (maths.NotEnoughData's reasons are in English)."""
    if result is None:
        return _("The opinion groups have not been computed yet.")
    reason = result.reason
    if match := re.match(r"(\d+) statement", reason):
        return _("Only %(count)s statement can be voted: at least 2 are needed to draw groups.") % {
            "count": match[1]}
    if match := re.match(r"(\d+) participant\(s\) with enough votes: at least (\d+)", reason):
        return _("%(count)s participant(s) voted enough: at least %(needed)s are needed to draw groups.") % {
            "count": match[1], "needed": match[2]}
    if "too alike" in reason:
        return _("The participants' votes are too alike to tell groups apart.")
    return _("Too few participants or votes to draw opinion groups.")


def _agreement(statement_ids, participants_of: dict) -> dict:
    """{(statement id, group): percentage of the group's voters on it who agreed} for STATEMENT_IDS."""
    seen, agreed = Counter(), Counter()
    for statement_id, participant, value in (Vote.objects.filter(statement_id__in=statement_ids)
                                             .values_list("statement_id", "participant", "value")):
        group = participants_of.get(participant)
        if group is not None:
            seen[statement_id, group] += 1
            agreed[statement_id, group] += value == Vote.Value.AGREE
    return {key: round(100 * agreed[key] / seen[key]) for key in seen}


def conversation_section(conversation: Conversation, page: str = "") -> Section:
    statements = {s.pk: s for s in conversation.statements.exclude(status=Statement.Status.REJECTED)}
    votes = Vote.objects.filter(statement__conversation=conversation)
    result = GroupsResult.objects.filter(conversation=conversation).first()
    figures = [Figure(_("Participants who voted"), votes.values("participant").distinct().count(), page),
               Figure(_("Votes"), votes.count(), page),
               Figure(_("Statements"), len(statements), page),
               Figure(_("Opinion groups"), result.k if result else 0, page)]
    title = _("Opinion debate: %(question)s") % {"question": conversation.question}
    if result is None or not result.k:
        counts = Counter()
        for statement_id, value in votes.values_list("statement_id", "value"):
            counts[statement_id, value] += 1
        ranked = sorted(statements.values(), key=lambda s: (-sum(counts[s.pk, v] for v in (1, -1, 0)), s.pk))
        return Section(title, str(conversation.component.title), page, figures=figures, table=Table(
            _("Votes on the statements"), [_("Statement"), _("Agree"), _("Disagree"), _("Pass")],
            [Row([quoted(s.text), counts[s.pk, 1], counts[s.pk, -1], counts[s.pk, 0]], page)
             for s in ranked[:STATEMENTS]]), note=no_groups_reason(result))

    groups = {str(p): str(g) for p, g in result.data.get("groups", {}).items()}
    sizes = Counter(groups.values())
    representative = {str(g): [pk for pk in pks if pk in statements]
                      for g, pks in result.data.get("representative", {}).items()}
    consensus = [pk for pk in result.data.get("consensus", []) if pk in statements]
    agreement = _agreement([pk for pks in representative.values() for pk in pks] + consensus, groups)
    rows = [Row([group_label(g), sizes[g], len(representative.get(g, []))], page) for g in sorted(sizes, key=int)]
    quotes = []
    for g in sorted(sizes, key=int):
        for pk in representative.get(g, [])[:3]:
            quotes.append(Quote(quoted(statements[pk].text), _("%(group)s: representative statement, %(percent)s%% of "
                                                              "the group agreed") % {
                "group": group_label(g), "percent": agreement.get((pk, g), 0)}, page))
    for pk in consensus[:5]:
        shares = [agreement.get((pk, g), 0) for g in sorted(sizes, key=int)]
        quotes.append(Quote(quoted(statements[pk].text), _("Consensus: agreed by every group (%(shares)s%%)") % {
            "shares": " / ".join(str(share) for share in shares)}, page))
    return Section(title, str(conversation.component.title), page, figures=figures,
                   table=Table(_("Opinion groups"), [_("Group"), _("Participants"), _("Representative statements")],
                               rows), quotes=quotes,
                   note="" if consensus else _("No statement was agreed by every group."))


def sections(component) -> list[Section]:
    page = component_link(component, "index")
    return [conversation_section(conversation, page)
            for conversation in Conversation.objects.filter(component=component).select_related("component")
            .order_by("pk")]
