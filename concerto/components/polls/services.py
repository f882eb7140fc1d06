"""Write actions on quick polls. The back-office, the public pages, the API and the chat call these functions."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.components.polls.eligibility import AlreadyAnswered, answer_refusal, identity_of
from concerto.components.polls.models import MAX_CHOICES, MIN_CHOICES, WHY_MAX_LENGTH, Answer, Choice, Poll
from concerto.core import french
from concerto.core.audit.services import audit_record
from concerto.core.insights.weighted import weighted_results
from concerto.core.participation.feed import feed_publish
from concerto.core.participation.models import Channel
from concerto.core.participation.services import contribution_record, followers_of, notification_send
from concerto.core.territory.boundaries import geometry_problem
from concerto.core.territory.quartiers import area_contains

EDITABLE_FIELDS = ("question", "multiple", "why", "opens_at", "closes_at", "results", "verified_only",
                   "target_organisation", "target_area", "target_area_name")


def _labels_clean(labels, errors: dict) -> list[str]:
    labels = [" ".join(str(label).split()) for label in labels]
    labels = [label for label in labels if label]
    if len(labels) < MIN_CHOICES or len(labels) > MAX_CHOICES:
        errors["choices"] = _("Give between %(min)s and %(max)s answers.") % {"min": MIN_CHOICES, "max": MAX_CHOICES}
    elif any(len(label) > 120 for label in labels):
        errors["choices"] = _("Each answer takes at most 120 characters.")
    elif len({label.casefold() for label in labels}) < len(labels):
        errors["choices"] = _("Two answers are the same.")
    return labels


def _poll_check(poll: Poll, errors: dict) -> None:
    poll.question = " ".join(poll.question.split())
    if not poll.question:
        errors["question"] = _("Write the question.")
    if poll.closes_at is not None and poll.opens_at is not None and poll.closes_at <= poll.opens_at:
        errors["closes_at"] = _("The poll must close after it opens.")
    organisation = poll.component.space.organisation
    target = poll.target_organisation
    if target is not None and target.pk != organisation.pk and target.pk not in organisation.descendant_ids():
        errors["target_organisation"] = _("Choose %(name)s or a part of it.") % {"name": organisation.name}
    if poll.target_area:
        problem = geometry_problem(poll.target_area)
        if problem is None and poll.target_area.get("type") not in ("Polygon", "MultiPolygon"):
            problem = _("Draw a polygon.")
        if problem:
            errors["target_area"] = _("This quartier is not a valid shape: %(problem)s") % {"problem": problem}
    else:
        poll.target_area = None


@transaction.atomic
def poll_create(*, actor, component, question: str, choices, publish: bool = False, **fields) -> Poll:
    """A draft poll in COMPONENT (a polls component) with the answers CHOICES (2 to 8 labels)."""
    if component.kind != "polls":
        raise ValueError("A quick poll belongs to a polls component")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"poll_create() does not take {', '.join(sorted(unknown))}")
    errors: dict = {}
    poll = Poll(component=component, question=question, author=actor if getattr(actor, "is_authenticated", False)
                else None, **fields)
    labels = _labels_clean(choices, errors)
    _poll_check(poll, errors)
    if errors:
        raise ValidationError(errors)
    poll.save()
    Choice.objects.bulk_create([Choice(poll=poll, label=label, position=n) for n, label in enumerate(labels)])
    audit_record(actor=actor, action="polls.poll_created", target=poll, organisation=poll.organisation)
    if publish:
        poll_publish(actor=actor, poll=poll)
    return poll


@transaction.atomic
def poll_update(*, actor, poll: Poll, choices=None, **changes) -> Poll:
    """Change POLL; its answers (CHOICES) only while nobody answered."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"poll_update() cannot change {', '.join(sorted(unknown))}")
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    errors: dict = {}
    changed = [name for name, value in changes.items() if getattr(poll, name) != value]
    for name, value in changes.items():
        setattr(poll, name, value)
    labels = None
    if choices is not None:
        labels = _labels_clean(choices, errors)
        if labels != [choice.label for choice in poll.choices.all()] and "choices" not in errors:
            if poll.answers.exists():
                errors["choices"] = _("People have answered: the answers can no longer change.")
            changed.append("choices")
        else:
            labels = None
    _poll_check(poll, errors)
    if errors:
        raise ValidationError(errors)
    poll.save()
    if labels is not None:
        poll.choices.all().delete()
        Choice.objects.bulk_create([Choice(poll=poll, label=label, position=n) for n, label in enumerate(labels)])
    if changed:
        audit_record(actor=actor, action="polls.poll_updated", target=poll, organisation=poll.organisation,
                     data={"fields": changed})
    return poll


@transaction.atomic
def poll_publish(*, actor, poll: Poll) -> Poll:
    """Publish POLL (it takes answers from its opening date) and tell the followers of its space and
    organisation, once."""
    if poll.published_at is not None:
        return poll
    poll.published_at = timezone.now()
    poll.save(update_fields=["published_at", "updated_at"])
    audit_record(actor=actor, action="polls.poll_published", target=poll, organisation=poll.organisation)
    # In the feeds of the followers of its space, its organisation and the one it targets (hidden there while its
    # space or component is not public).
    with translation.override(settings.LANGUAGE_CODE):
        feed_publish(item=poll, kind="polls.published",
                     title=_("Quick poll: %(question)s") % {"question": poll.question},
                     summary=_("Answer in one tap."), url=poll.get_absolute_url(),
                     organisation=poll.organisation, space=poll.component.space, published_at=poll.published_at,
                     targets=[poll.target_organisation] if poll.target_organisation_id else [])
    if poll.is_public:
        space = poll.component.space
        with translation.override(settings.LANGUAGE_CODE):
            notification_send(recipients=followers_of(space, space.organisation), verb="polls.published",
                              title=_("Quick poll: %(question)s") % {"question": poll.question},
                              body=_("Answer in one tap."), url=poll.get_absolute_url())
    return poll


@transaction.atomic
def poll_close(*, actor, poll: Poll) -> Poll:
    """Close POLL now: it takes no more answers and its results are shown to everyone."""
    if poll.closed_at is not None:
        return poll
    poll.closed_at = timezone.now()
    poll.save(update_fields=["closed_at", "updated_at"])
    audit_record(actor=actor, action="polls.poll_closed", target=poll, organisation=poll.organisation)
    return poll


def _choices_clean(poll: Poll, choices, errors: dict) -> list[int]:
    wanted = []
    for value in choices or []:
        try:
            wanted.append(int(value))
        except (TypeError, ValueError):
            errors["choices"] = _("This answer is not one of the poll’s.")
            return []
    wanted = list(dict.fromkeys(wanted))
    known = set(poll.choices.filter(pk__in=wanted).values_list("pk", flat=True))
    if not wanted:
        errors["choices"] = _("Choose an answer.") if not poll.multiple else _("Choose at least one answer.")
    elif set(wanted) - known:
        errors["choices"] = _("This answer is not one of the poll’s.")
    elif len(wanted) > 1 and not poll.multiple:
        errors["choices"] = _("Choose only one answer.")
    return wanted


def _why_clean(poll: Poll, why: str, errors: dict) -> str:
    why = (why or "").strip()
    if poll.why == Poll.Why.NONE:
        if why:
            errors["why"] = _("This poll does not ask why.")
        return ""
    if not why and poll.why == Poll.Why.REQUIRED:
        errors["why"] = _("Say why in a few words.")
    elif len(why) > WHY_MAX_LENGTH:
        errors["why"] = ngettext(
            "Your “why?” has %(count)s character; %(max)s at most.",
            "Your “why?” has %(count)s characters; %(max)s at most.", len(why)) % {
                "count": french.number(len(why)), "max": french.number(WHY_MAX_LENGTH)}
    return why


def poll_answer(*, poll: Poll, user, choices, why: str = "", channel: str = Channel.WEB, point=None) -> Answer:
    """USER answers POLL with CHOICES (ids of its choices) and, if the poll asks, WHY; CHANNEL is the ledger's.

    A quartier poll needs POINT, the person's address as (latitude, longitude), checked inside the quartier and not
    kept. Raises PollRefused (closed, not in the target, already answered), VerificationRequired, or
    ValidationError keyed by "choices", "why" or "point". One answer per account is the database's guarantee."""
    refusal = answer_refusal(poll=poll, user=user)
    if refusal is not None:
        raise refusal
    errors: dict = {}
    wanted = _choices_clean(poll, choices, errors)
    why = _why_clean(poll, why, errors)
    if poll.target_area:
        if point is None:
            errors["point"] = _("This poll is for one quartier: give your address to answer.")
        elif not area_contains(poll.target_area, latitude=point[0], longitude=point[1]):
            errors["point"] = _("This address is outside the quartier of the poll (%(name)s).") % {
                "name": poll.target_area_name or poll.target.name}
    if errors:
        raise ValidationError(errors)
    identity = identity_of(poll=poll, user=user)
    try:
        with transaction.atomic():
            answer = Answer.objects.create(poll=poll, user=user, identity_hash=identity, why=why, channel=channel)
            answer.choices.set(wanted)
            contribution_record(kind="polls.answer", target=answer, component=poll.component, author=user,
                                channel=channel)
    except IntegrityError:
        raise AlreadyAnswered(_("You have already answered this poll: one answer per person.")) from None
    return answer


def has_answered(*, poll: Poll, user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and poll.answers.filter(user=user).exists()


def poll_results(poll: Poll) -> dict:
    """Each choice with its number of answers and its share of the people who answered (in %)."""
    total = poll.answers.count()
    rows = poll.choices.annotate(count=Count("answers")).order_by("position", "pk")
    return {"total": total, "choices": [
        {"choice": choice, "label": choice.label, "count": choice.count,
         "percent": round(100 * choice.count / total) if total else 0} for choice in rows]}


def weighted_results_of(poll: Poll):
    """The poll's results raw and weighted to the population by age band (concerto.core.insights.weighted),
    from two GROUP BY queries on the answers."""
    choices = list(poll.choices.order_by("position", "pk"))
    position = {choice.pk: index for index, choice in enumerate(choices)}
    respondents = (poll.answers.values_list("user__birth_year", "user__residence_id").annotate(n=Count("pk"))
                   .order_by())
    chosen = (Answer.choices.through.objects.filter(answer__poll=poll)
              .values_list("answer__user__birth_year", "answer__user__residence_id", "choice_id")
              .annotate(n=Count("pk")).order_by())
    space = poll.component.space
    return weighted_results(organisation=space.organisation, space=space, respondents=list(respondents),
                            chosen=[(year, place, position[choice], n) for year, place, choice, n in chosen],
                            labels=[choice.label for choice in choices])


def channels_of(poll: Poll) -> list[dict]:
    """How many answers came through each channel."""
    labels = dict(Channel.choices)
    rows = poll.answers.values("channel").annotate(count=Count("pk")).order_by("-count", "channel")
    return [{"channel": row["channel"], "label": labels.get(row["channel"], row["channel"]), "count": row["count"]}
            for row in rows]
