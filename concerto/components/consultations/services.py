"""Answering a consultation: web responses (and their drafts), responses entered from paper or a meeting, their
removal and the RGPD erasure.

The public pages, the back-office, the API and the events' minutes call these same functions. Each state
change writes an audit entry; every response, web or paper, is written to the contributions ledger. The
questionnaire itself is read and checked in questionnaire.py and built in building.py.
"""

import re
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.components.consultations.models import LONG_TEXT_MAX, MAX_OPTIONS, OPTION_MAX, Answer, Response
from concerto.components.consultations.questionnaire import (
    Kind,
    Structure,
    answers_check,
    kind_check,
    questionnaire_structure,
)
from concerto.core.accounts.verification import action_require
from concerto.core.audit.services import audit_record
from concerto.core.participation.models import Channel
from concerto.core.participation.services import contribution_author_set, contribution_record, contribution_remove
from concerto.core.ratelimit import send_limited

CONTRIBUTION_KIND = "consultations.response"
PAPER_CHANNELS = (Channel.PAPER, Channel.IN_PERSON)
ONLINE_CHANNELS = (Channel.WEB, Channel.CHATBOT)


class AnswersClosed(Exception):
    """Answers are not accepted now; `message` says why (and when it closed or opens)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def answers_open(component):
    """The window of the step setting `answers_open`: open or not, and why not."""
    return component.window("answers_open")


def _answer_rows(structure: Structure, response: Response, answers: dict) -> list[Answer]:
    from concerto.core.territory.lookup import commune_at

    common = {"response": response, "channel": response.channel, "residence_id": response.residence_id}
    other_ids = {option.pk for options in structure.options.values() for option in options if option.is_other}
    rows = []
    for question in structure.questions:
        value = answers.get(question.pk)
        if value is None:
            continue
        kind = question.kind
        if kind == Kind.SINGLE:
            text = value["other"] if value["option"] in other_ids else ""
            rows.append(Answer(question=question, option_id=value["option"], text=text, **common))
        elif kind == Kind.MULTIPLE:
            # rank 1 marks one row per person: results count people without COUNT(DISTINCT).
            rows += [Answer(question=question, option_id=pk, rank=order,
                            text=value["other"] if pk in other_ids else "", **common)
                     for order, pk in enumerate(value["options"], start=1)]
        elif kind == Kind.RANKING:
            rows += [Answer(question=question, option_id=pk, rank=rank, **common)
                     for rank, pk in enumerate(value, start=1)]
        elif kind in (Kind.SCALE, Kind.NUMBER):
            rows.append(Answer(question=question, number=float(value), **common))
        elif kind == Kind.DATE:
            rows.append(Answer(question=question, date=value, **common))
        elif kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
            rows.append(Answer(question=question, text=value, **common))
        elif kind == Kind.POINT:
            latitude, longitude = value
            place = commune_at(longitude, latitude)
            rows.append(Answer(question=question, latitude=latitude, longitude=longitude,
                               place_id=place.pk if place else None, **common))
    return rows


def _check_can_answer_on_the_web(component, respondent, anonymous_key: str) -> None:
    if not (component.published and component.space.is_published):
        raise AnswersClosed(_("This questionnaire is not published yet: answers are not accepted."))
    window = answers_open(component)
    if not window.open:
        raise AnswersClosed(_("Answers are closed. %(when)s") % {"when": window.message})
    signed_in = respondent is not None and respondent.is_authenticated
    if not signed_in and component.setting("participation") != "anonymous":
        raise AnswersClosed(_("Sign in to answer this questionnaire."))
    if not signed_in and not anonymous_key:
        raise AnswersClosed(_("Your browser must accept cookies to answer without an account."))


def answer_refusal(*, component, respondent, anonymous_key: str) -> str:
    """Why RESPONDENT (or the anonymous participant ANONYMOUS_KEY) cannot answer now ("" when they can), for a
    chat that asks before the first question; response_submit checks the same again."""
    try:
        _check_can_answer_on_the_web(component, respondent, anonymous_key)
    except AnswersClosed as closed:
        return closed.message
    return ""


def _existing_response(component, respondent, anonymous_key: str, *, lock: bool = False):
    responses = Response.objects.filter(component=component)
    if lock:
        responses = responses.select_for_update()
    if respondent is not None and respondent.is_authenticated:
        return responses.filter(respondent=respondent).first()
    return responses.filter(anonymous_key=anonymous_key, respondent__isnull=True).first()


def my_response(component, user, anonymous_key: str = ""):
    """The response of USER (signed in) or of this browser session (ANONYMOUS_KEY), or None."""
    if (user is None or not user.is_authenticated) and not anonymous_key:
        return None
    return _existing_response(component, user, anonymous_key)


@send_limited("response")
@transaction.atomic
def response_submit(*, component, answers: dict, respondent=None, anonymous_key: str = "",
                    residence=None, channel: str = Channel.WEB) -> tuple[Response, bool]:
    """Send (or resend) the web response of RESPONDENT, or of the browser session ANONYMOUS_KEY.

    One response per participant: a second submission replaces the answers of the first, and two
    submissions racing each other end as one row (the unique constraint, then an update). Returns
    (response, first_time). Raises VerificationRequired when the component reserves answering to verified
    residents and RESPONDENT is not one (anonymous answers included), AnswersClosed when answers are not
    accepted now, ValidationError (keyed by field name) when an answer is wrong; nothing is saved then.
    CHANNEL is the web's or the chat's (a chat participant's ANONYMOUS_KEY is theirs on their platform)."""
    kind_check(component)
    if channel not in ONLINE_CHANNELS:
        raise ValidationError({"channel": [_("Choose the website or the chat.")]})
    if respondent is not None and not respondent.is_authenticated:
        respondent = None
    action_require(user=respondent, component=component, action="respond")
    _check_can_answer_on_the_web(component, respondent, anonymous_key)
    structure = questionnaire_structure(component)
    cleaned = answers_check(structure, answers)
    if respondent is not None:
        anonymous_key = ""
        residence = residence or getattr(respondent, "residence", None)
    response = _existing_response(component, respondent, anonymous_key, lock=True)
    if response is None:
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    component=component, respondent=respondent, anonymous_key=anonymous_key,
                    channel=channel, residence=residence, status=Response.Status.DRAFT,
                )
        except IntegrityError:
            # The same person's other request created it a moment ago: update that one.
            response = _existing_response(component, respondent, anonymous_key, lock=True)
            if response is None:
                raise
    return _response_save(structure, response, cleaned, actor=respondent, residence=residence)


def _response_save(structure: Structure, response: Response, cleaned: dict, *, actor, residence=None,
                   created_at=None) -> tuple[Response, bool]:
    first_time = not response.is_submitted
    now = timezone.now()
    response.status = Response.Status.SUBMITTED
    response.draft_data = {}
    if residence is not None and first_time:
        response.residence = residence
    if first_time:
        response.submitted_at = created_at or now
    response.save()
    Answer.objects.filter(response=response).delete()
    Answer.objects.bulk_create(_answer_rows(structure, response, cleaned))
    organisation = structure.component.space.organisation
    if first_time:
        contribution_record(kind=CONTRIBUTION_KIND, target=response, component=structure.component,
                            author=response.respondent, channel=response.channel, residence=response.residence,
                            created_at=response.submitted_at)
        audit_record(actor=actor, action="consultations.response_submitted", target=response,
                     organisation=organisation, data={"channel": response.channel})
    else:
        audit_record(actor=actor, action="consultations.response_updated", target=response,
                     organisation=organisation, data={"channel": response.channel})
    return response, first_time


DRAFT_VALUE_MAX = LONG_TEXT_MAX
# The form's field names: q<id>, and q<id>_other, q<id>_0 (a rank), q<id>_latitude...
DRAFT_NAME = re.compile(r"^q(\d+)(?:_[a-z0-9]{1,20})?$")


@send_limited("response")
@transaction.atomic
def response_draft_save(*, component, respondent, data: dict) -> Response:
    """Keep RESPONDENT's unfinished answers (raw form values) without sending them: a draft is not
    counted anywhere. Only before the first submission; afterwards changes are sent directly. Refused like
    response_submit when answering is reserved to verified residents."""
    kind_check(component)
    if respondent is None or not respondent.is_authenticated:
        raise AnswersClosed(_("Sign in to save a draft."))
    action_require(user=respondent, component=component, action="respond")
    _check_can_answer_on_the_web(component, respondent, "")
    known = {str(question.pk) for question in questionnaire_structure(component).questions}
    kept = {}
    for name, value in data.items():
        match = DRAFT_NAME.match(str(name))
        if not match or match[1] not in known:
            continue
        if isinstance(value, list):
            kept[name] = [str(item).replace("\x00", "")[:OPTION_MAX] for item in value[:MAX_OPTIONS]]
        else:
            kept[name] = str(value).replace("\x00", "")[:DRAFT_VALUE_MAX]
    response = _existing_response(component, respondent, "", lock=True)
    if response is not None and response.is_submitted:
        raise ValidationError(_("Your answers are already sent: save your changes with “Send my changes”."))
    if response is None:
        try:
            with transaction.atomic():
                response = Response.objects.create(component=component, respondent=respondent,
                                                   channel=Channel.WEB, residence=respondent.residence)
        except IntegrityError:
            response = _existing_response(component, respondent, "", lock=True)
            if response is None or response.is_submitted:
                raise ValidationError(_("Your answers are already sent: save your changes with “Send my "
                                        "changes”.")) from None
    response.draft_data = kept
    response.save(update_fields=["draft_data", "updated_at"])
    audit_record(actor=respondent, action="consultations.draft_saved", target=response,
                 organisation=component.space.organisation)
    return response


@transaction.atomic
def paper_response_enter(*, actor, component, answers: dict, channel: str = Channel.PAPER, residence=None,
                         answered_on: date | None = None) -> Response:
    """Enter a response collected on paper or at a meeting (CHANNEL). It is anonymous, counted like a
    web response and marked with its channel. Required questions are not enforced (a paper form may
    come back incomplete; the agent types what is written), conditions are. Not subject to answering being
    reserved to verified residents: the team enters it for someone else."""
    kind_check(component)
    if channel not in PAPER_CHANNELS:
        raise ValidationError({"channel": [_("Choose paper or in person.")]})
    today = timezone.localdate()
    if answered_on is not None and answered_on > today:
        raise ValidationError({"answered_on": [_("The date cannot be in the future.")]})
    structure = questionnaire_structure(component)
    cleaned = answers_check(structure, answers, enforce_required=False)
    created_at = None
    if answered_on is not None and answered_on != today:
        # Noon of that day: the date is what matters, not the hour.
        created_at = timezone.make_aware(datetime.combine(answered_on, time(12)))
    response = Response.objects.create(component=component, channel=channel, residence=residence,
                                       entered_by=actor, status=Response.Status.DRAFT)
    response, _first = _response_save(structure, response, cleaned, actor=actor, residence=residence,
                                      created_at=created_at)
    return response


@transaction.atomic
def response_delete(*, actor, response: Response) -> None:
    """Remove a response entered by mistake (from paper or a meeting); web responses belong to their
    authors and are not deleted by the team."""
    if response.channel not in PAPER_CHANNELS:
        raise ValidationError(_("Only responses entered from paper or a meeting can be deleted."))
    audit_record(actor=actor, action="consultations.response_deleted", target=response,
                 organisation=response.organisation, data={"channel": response.channel})
    contribution_remove(target=response)
    response.delete()


@transaction.atomic
def responses_claim(*, key: str, user) -> int:
    """The responses recorded under the anonymous KEY (a chat's, once linked to USER's account) become USER's,
    with their ledger rows. In a questionnaire USER already answered otherwise, the two responses stay apart
    (as they were before the link): one of them cannot silently replace the other. Returns how many."""
    if not key:
        return 0
    claimed = 0
    for response in Response.objects.select_for_update().filter(anonymous_key=key, respondent__isnull=True):
        if Response.objects.filter(component_id=response.component_id, respondent=user).exists():
            continue
        response.respondent = user
        response.anonymous_key = ""
        response.save(update_fields=["respondent", "anonymous_key", "updated_at"])
        contribution_author_set(target=response, author=user)
        audit_record(actor=user, action="consultations.response_claimed", target=response,
                     organisation=response.component.space.organisation, data={"channel": response.channel})
        claimed += 1
    return claimed


def responses_erase_for(user) -> int:
    """RGPD erasure: the person's answers stay in the results, anonymous; their drafts go."""
    with transaction.atomic():
        Response.objects.filter(respondent=user, status=Response.Status.DRAFT).delete()
        count = Response.objects.filter(respondent=user).update(respondent=None)
        from concerto.core.participation.models import Contribution

        Contribution.objects.filter(kind=CONTRIBUTION_KIND, author=user).update(author=None)
    return count
