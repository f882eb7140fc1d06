"""Public pages of opinion debates: a component's debates, a debate (vote one statement at a time, write one), and
its results (the opinion map, its table, representative, consensus and divisive statements).

An anonymous participant (a debate open to anyone) is known by a random key kept in their session (the kernel's
`session_key`), created at their first vote: their votes count as one person's as long as the browser keeps its
session cookie. Signing in later does not merge them into the account's votes (two participants, as in Polis)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from concerto.components.opinions import results as results_view
from concerto.components.opinions.forms import StatementForm
from concerto.components.opinions.models import Conversation, Statement, Vote
from concerto.components.opinions.services import (
    SimilarStatements,
    VoteRefused,
    next_statement,
    participant_key,
    participation_refusal,
    similar_statements,
    vote,
    votes_of,
    write_statement,
)
from concerto.core.accounts.verification import VerificationRequired
from concerto.core.forms import form_add_errors, form_unchecked, similar_while_typing
from concerto.core.participation.services import session_key
from concerto.core.ratelimit import rate_limited, sender_of
from concerto.core.spaces.lookup import item_for, public_component_for
from concerto.core.texts import similar as similar_texts

PER_PAGE = 20
SESSION_KEY = "opinions_participant"
CHOICES = ((Vote.Value.AGREE, "agree"), (Vote.Value.DISAGREE, "disagree"), (Vote.Value.PASS, "pass"))


def participant_of(request, *, create: bool = False) -> tuple[str, str]:
    """(participant key, anonymous session key) of the request: "u<id>" for a signed-in person, else "s<key>" with
    the key kept in the session (created with CREATE), else ("", "")."""
    key = "" if request.user.is_authenticated else session_key(request, SESSION_KEY, create=create)
    return participant_key(request.user, key), key


def _conversation(request, space_slug, component_id, conversation_id):
    component, can_manage = public_component_for(request, "opinions", space_slug=space_slug,
                                                 component_id=component_id)
    conversation = item_for(component, Conversation.objects.select_related("groups_result"), conversation_id)
    if not (conversation.is_published or can_manage):
        raise Http404(_("This page does not exist."))
    return component, can_manage, conversation


def _context(component, can_manage, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            "can_manage": can_manage, **extra}


def conversation_list(request, org_slug, space_slug, component_id):
    component, can_manage = public_component_for(request, "opinions", space_slug=space_slug,
                                                 component_id=component_id)
    conversations = Conversation.objects.filter(component=component).order_by("-opens_at", "-pk")
    if not can_manage:
        conversations = conversations.filter(published_at__isnull=False)
    page = Paginator(conversations, PER_PAGE).get_page(request.GET.get("page"))
    for conversation in page.object_list:
        conversation.component = component
    return render(request, "opinions/conversation_list.html", _context(component, can_manage, page=page))


def _card(request, conversation, *, statement_id=None, notice="", problem="") -> dict:
    """What the voting card needs: the statement to vote on (STATEMENT_ID when the person comes back to change
    a vote, else the next one), the person's vote on it, how many are left, or why they may not vote."""
    participant, _key = participant_of(request)
    voted = votes_of(conversation, participant)
    shown = conversation.shown_statements()
    total = shown.count()
    left = shown.exclude(pk__in=list(voted)).count() if voted else total
    refusal = participation_refusal(conversation, request.user, next_url=conversation.get_absolute_url())
    statement = None
    if refusal is None:
        if statement_id:
            statement = shown.filter(pk=statement_id).first()
        if statement is None:
            statement = next_statement(conversation, participant)  # the same one until the person votes
    current = voted.get(getattr(statement, "pk", None))
    return {"conversation": conversation, "statement": statement, "vote_url": conversation.url_for("opinions:vote"),
            "current_label": Vote.Value(current).label if current is not None else "", "left": left,
            "total": total, "refusal": refusal, "notice": notice, "problem": problem,
            "choices": [(value, label, Vote.Value(value).label) for value, label in CHOICES]}


def _statement_id(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def conversation_detail(request, org_slug, space_slug, component_id, conversation_id, *, card=None, form=None,
                        similar=None, checked=False, confirm=False, status=200):
    """The debate's page. SIMILAR: the statements shown under the statement form (a « check » step, CHECKED, or a
    sending refused); CONFIRM: they look so much like it that the form offers « send mine anyway »."""
    component, can_manage, conversation = _conversation(request, space_slug, component_id, conversation_id)
    card = card or _card(request, conversation, statement_id=_statement_id(request.GET.get("enonce")))
    participant, _key = participant_of(request)
    mine = votes_of(conversation, participant)
    my_votes = [(statement, Vote.Value(mine[statement.pk]).label)
                for statement in conversation.shown_statements().filter(pk__in=mine)]
    write_refusal = participation_refusal(conversation, request.user, action="write_statement",
                                          next_url=conversation.get_absolute_url())
    form = form or StatementForm()
    # While the statement is typed, the similar ones come through htmx into the aria-live region; without
    # JavaScript, the « Check for similar statements » button does the same by posting.
    similar_while_typing(form, conversation.url_for("opinions:similar"), "#similar-statements", fields=("text",))
    return render(request, "opinions/conversation_detail.html", _context(
        component, can_manage, conversation=conversation, card=card, my_votes=my_votes,
        form=form, write_refusal=write_refusal, write_url=conversation.url_for("opinions:write"),
        similar=similar or [], checked=checked, confirm=confirm,
        result=getattr(conversation, "groups_result", None)), status=status)


def _votable(request, conversation, statements: list[Statement]) -> list[Statement]:
    """STATEMENTS, each with the link that puts it on the voting card and the person's vote on it (if any)."""
    participant, _key = participant_of(request)
    mine = votes_of(conversation, participant)
    base = conversation.get_absolute_url()
    for statement in statements:
        statement.vote_url = f"{base}?enonce={statement.pk}#vote"
        statement.my_vote = Vote.Value(mine[statement.pk]).label if statement.pk in mine else ""
    return statements


def _similar(request, conversation, text: str) -> list[Statement]:
    """The shown statements of CONVERSATION like TEXT, ready to be voted on (`_votable`)."""
    return _votable(request, conversation, similar_statements(conversation, text))


@require_safe
def statement_similar(request, org_slug, space_slug, component_id, conversation_id):
    """A small HTML fragment: the debate's shown statements closest to the one being typed (`text`), asked by the
    form after a pause; rate-limited per sender (an empty 429 beyond, which htmx leaves aside)."""
    _component, _can_manage, conversation = _conversation(request, space_slug, component_id, conversation_id)
    return similar_texts.fragment(request, lambda text: _similar(request, conversation, text),
                                  "opinions/_similar.html")


@require_POST
def conversation_vote(request, org_slug, space_slug, component_id, conversation_id):
    """A vote (three submit buttons: agree, disagree, pass): without JavaScript, back to the debate's page with the
    next statement; with htmx, the voting card alone, swapped."""
    component, can_manage, conversation = _conversation(request, space_slug, component_id, conversation_id)
    htmx = bool(request.headers.get("HX-Request"))
    statement_id = _statement_id(request.POST.get("statement"))
    statement = (Statement.objects.select_related("conversation").filter(conversation=conversation, pk=statement_id)
                 .first() if statement_id else None)
    notice = problem = ""
    try:
        if statement is None:
            raise VoteRefused(_("This statement is not in this debate."))
        _participant, key = participant_of(request, create=True)
        vote(statement, request.user, request.POST.get("value"), session_key=key)
    except (VoteRefused, VerificationRequired) as refused:
        problem = refused.message
    else:
        notice = _("Your vote is recorded.")
        if not htmx:
            messages.success(request, notice)
            return redirect(conversation.get_absolute_url() + "#vote")
    card = _card(request, conversation, statement_id=statement_id if problem else None, notice=notice,
                 problem=problem)
    if htmx:  # htmx swaps only a 200
        return render(request, "opinions/_vote_card.html", {"card": card})
    return conversation_detail(request, org_slug, space_slug, component_id, conversation_id, card=card,
                               status=400)


@require_POST
@rate_limited
def statement_write(request, org_slug, space_slug, component_id, conversation_id):
    """Send a statement (« Send my statement »), or only look for similar ones first (`similar_check`, the form
    comes back as typed). Statements close to it (services.SimilarStatements) bring the form back with them and
    « Send mine anyway » (`confirm`)."""
    component, can_manage, conversation = _conversation(request, space_slug, component_id, conversation_id)
    form = StatementForm(request.POST)
    form.is_valid()
    text = form.cleaned_data.get("text", "")
    detail = {"org_slug": org_slug, "space_slug": space_slug, "component_id": component_id,
              "conversation_id": conversation_id}
    if request.POST.get("similar_check"):
        found = similar_texts.lookup(request, lambda typed: _similar(request, conversation, typed)) or []
        return conversation_detail(request, **detail, form=form_unchecked(form), similar=found, checked=True)
    try:
        _participant, key = participant_of(request, create=True)
        statement = write_statement(conversation, request.user, text, session_key=key,
                                    confirmed=bool(request.POST.get("confirm")), sender=sender_of(request))
    except SimilarStatements as near:
        form.add_error(None, near.message)
        return conversation_detail(request, **detail, form=form, confirm=True, status=400,
                                   similar=_votable(request, conversation, near.statements))
    except ValidationError as error:
        form_add_errors(form, error)
    except (VoteRefused, VerificationRequired) as refused:
        form.add_error(None, refused.message)
    else:
        messages.success(request, _("Thank you: your statement is published, others can vote on it.")
                         if statement.is_shown else
                         _("Thank you: your statement will be shown once the moderators have read it."))
        return redirect(conversation.get_absolute_url() + "#proposer")
    found = similar_texts.lookup(request, lambda typed: _similar(request, conversation, typed)) or []
    return conversation_detail(request, **detail, form=form, similar=found, status=400)


def conversation_results(request, org_slug, space_slug, component_id, conversation_id):
    component, can_manage, conversation = _conversation(request, space_slug, component_id, conversation_id)
    participant, _key = participant_of(request)
    return render(request, "opinions/conversation_results.html", _context(
        component, can_manage, conversation=conversation, **results_view.results(conversation, participant)))
