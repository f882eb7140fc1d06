"""A debate in Polis's openData format, anonymised: `comments.csv`, `votes.csv` and `participants-votes.csv`
with the same columns as the openData exports of pol.is, as one zip or as separate files.

Participants are numbered 0..n-1 in the order they first took part (their first vote, or their first
statement), as Polis numbers them: no account id leaves the site. Statement ids are the statements' own ids
(the API's). The body of a statement nobody may read (rejected, or awaiting moderation in a debate moderated
before publication) is left empty; its votes stay, since Polis's vote threshold counts them. `group-id` is the
group of the last stored computation (empty for participants left out of the groups). Reading these files back
with `manage.py opinion_groups` gives the stored groups (a test checks it).
"""

from __future__ import annotations

import tempfile
import zipfile
from datetime import UTC

from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _

from concerto.components.opinions import moderation
from concerto.components.opinions.models import Conversation, Statement, Vote
from concerto.components.opinions.services import participant_key
from concerto.core.exports import CONTENT_TYPES, CSV, csv_lines
from concerto.core.spaces.lookup import item_for, public_component_for

COMMENTS = ("timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated", "comment-body")
VOTES = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
PARTICIPANTS = ("participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")
FILES = ("comments.csv", "votes.csv", "participants-votes.csv")
MODERATED = {Statement.Status.ACCEPTED: 1, Statement.Status.PENDING: 0, Statement.Status.REJECTED: -1}


def _time(moment) -> tuple[int, str]:
    """Polis's two time columns: milliseconds since 1970 and a readable date (UTC here)."""
    moment = moment.astimezone(UTC)
    return int(moment.timestamp() * 1000), moment.strftime("%a %b %d %H:%M:%S UTC %Y")


def polis_tables(conversation: Conversation) -> dict[str, tuple[tuple, list]]:
    """File name -> (header, rows) of the three files."""
    statements = list(conversation.statements.order_by("pk"))
    votes = list(Vote.objects.filter(statement__conversation=conversation).order_by("voted_at", "pk")
                 .values_list("statement_id", "participant", "value", "voted_at"))
    # The order people first took part in: their number.
    appearances = [(voted_at, participant) for _s, participant, _v, voted_at in votes]
    appearances += [(statement.created_at, participant_key(statement.author)) for statement in statements
                    if statement.author_id is not None]
    numbers: dict[str, int] = {}
    for _moment, participant in sorted(appearances, key=lambda pair: pair[0]):
        numbers.setdefault(participant, len(numbers))
    shown = set(conversation.shown_statements().values_list("pk", flat=True))

    figures = {statement.pk: [0, 0] for statement in statements}
    people = {number: {"votes": {}, "comments": 0} for number in numbers.values()}
    vote_rows = []
    for statement_id, participant, value, voted_at in votes:
        timestamp, readable = _time(voted_at)
        number = numbers[participant]
        vote_rows.append((timestamp, readable, statement_id, number, value))
        people[number]["votes"][statement_id] = value
        if value == 1:
            figures[statement_id][0] += 1
        elif value == -1:
            figures[statement_id][1] += 1
    comment_rows = []
    for statement in statements:
        author = numbers.get(participant_key(statement.author)) if statement.author_id is not None else None
        if author is not None:
            people[author]["comments"] += 1
        timestamp, readable = _time(statement.created_at)
        comment_rows.append((timestamp, readable, statement.pk, "" if author is None else author,
                             *figures[statement.pk], MODERATED[statement.status],
                             statement.text if statement.pk in shown else ""))

    result = moderation.groups_of(conversation)
    groups = {numbers[key]: group for key, group in ((result.data.get("groups") or {}) if result else {}).items()
              if key in numbers}
    statement_ids = [statement.pk for statement in statements]
    participant_rows = []
    for number in range(len(numbers)):
        cast = people[number]["votes"]
        values = list(cast.values())
        participant_rows.append((number, groups.get(number, ""), people[number]["comments"], len(values),
                                 values.count(1), values.count(-1), *(cast.get(pk, "") for pk in statement_ids)))
    return {"comments.csv": (COMMENTS, comment_rows), "votes.csv": (VOTES, vote_rows),
            "participants-votes.csv": ((*PARTICIPANTS, *statement_ids), participant_rows)}


def _text(header, rows) -> str:
    return "".join(csv_lines(rows, header, bom=False))


def write_zip(conversation: Conversation, output) -> None:
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (header, rows) in polis_tables(conversation).items():
            archive.writestr(name, _text(header, rows))


def zip_response(conversation: Conversation) -> FileResponse:
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    write_zip(conversation, output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=f"debat-{conversation.pk}-polis.zip",
                        content_type="application/zip")


def csv_response(conversation: Conversation, name: str) -> HttpResponse:
    header, rows = polis_tables(conversation)[name]
    response = HttpResponse(_text(header, rows).encode("utf-8"), content_type=CONTENT_TYPES[CSV])
    response["Content-Disposition"] = f'attachment; filename="debat-{conversation.pk}-{name}"'
    return response


def _public_conversation(request, space_slug, component_id, conversation_id) -> Conversation:
    """The debate of the URL if it is public (its component and space published, itself published); the
    organisation's managers also reach a draft."""
    component, can_manage = public_component_for(request, "opinions", space_slug=space_slug,
                                                 component_id=component_id)
    conversation = item_for(component, Conversation, conversation_id)
    if conversation.published_at is None and not can_manage:
        raise Http404(_("This page does not exist."))
    return conversation


def export_zip(request, org_slug, space_slug, component_id, conversation_id):
    return zip_response(_public_conversation(request, space_slug, component_id, conversation_id))


def export_csv(request, org_slug, space_slug, component_id, conversation_id, name):
    if f"{name}.csv" not in FILES:
        raise Http404(_("This page does not exist."))
    return csv_response(_public_conversation(request, space_slug, component_id, conversation_id), f"{name}.csv")
