"""Decisions, the contributions they answer, and the actions that carry them out: the one place of their rules.

Pages, the API and the demo call these functions; every change is audited, notifies the people concerned
(the contributors of an answered contribution and its followers, then the followers of the decision at each
stage of an action) and goes to the feeds.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.core import registry
from concerto.core.accountability.models import Action, ActionPhoto, ActionUpdate, Decision, DecisionLink
from concerto.core.audit.services import audit_record
from concerto.core.errors import Refusal
from concerto.core.participation.feed import feed_publish, feed_withdraw
from concerto.core.participation.models import Contribution
from concerto.core.participation.notifications import notification_send
from concerto.core.participation.services import followers_of
from concerto.core.uploads import document_clean, uploaded_image_clean

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
SEARCH_LIMIT = 20
VERB_ANSWERED = "accountability.answered"
VERB_STAGE = "accountability.action_stage"
FEED_DECISION = "accountability.decision"
FEED_ACTION = "accountability.action"


class LinkRefused(Refusal):
    """A contribution the decision may not answer."""


# ---------------------------------------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------------------------------------

DECISION_FIELDS = ("title", "text", "decided_on", "body", "deliberation_number", "space")


def _decision_check(organisation, values: dict) -> None:
    errors = {}
    if not (values.get("title") or "").strip():
        errors["title"] = [_("Give the decision a title.")]
    if values.get("body") not in Decision.Body.values:
        errors["body"] = [_("Choose who took the decision.")]
    decided_on = values.get("decided_on")
    if not isinstance(decided_on, date):
        errors["decided_on"] = [_("Give the date of the decision.")]
    space = values.get("space")
    if space is not None and space.organisation_id != organisation.pk:
        errors["space"] = [_("This space belongs to another organisation.")]
    if errors:
        raise ValidationError(errors)


def _document(document):
    if document is None or document is False or not hasattr(document, "read") or getattr(document, "_committed",
                                                                                          False):
        return document
    try:
        return document_clean(document, max_bytes=DOCUMENT_MAX_BYTES, images=False)
    except ValidationError as error:
        raise ValidationError({"document": error.messages}) from None


def _shown(decision: Decision) -> bool:
    """Whether the public sees DECISION (not archived, of no space or of a published one): only then do the feeds
    and the people concerned hear of it."""
    return not decision.is_archived and (decision.space is None or decision.space.is_published)


def _decision_publish(decision: Decision) -> None:
    if not _shown(decision):
        feed_withdraw(item=decision, kind=FEED_DECISION)
        return
    targets = [target for target in map(_target, decision.links.all()) if target is not None]
    feed_publish(item=decision, kind=FEED_DECISION, title=decision.title, url=decision.get_absolute_url(),
                 organisation=decision.organisation, space=decision.space, summary=decision.text[:300],
                 targets=targets)


@transaction.atomic
def decision_create(*, actor, organisation, title: str, decided_on, body: str, text: str = "", space=None,
                    deliberation_number: str = "", document=None) -> Decision:
    values = {"title": title, "decided_on": decided_on, "body": body, "space": space}
    _decision_check(organisation, values)
    decision = Decision.objects.create(
        organisation=organisation, space=space, title=title.strip(), text=text.strip(), decided_on=decided_on,
        body=body, deliberation_number=deliberation_number.strip(), document=_document(document) or "")
    audit_record(actor=actor, action="decision.created", target=decision, organisation=organisation)
    _decision_publish(decision)
    return decision


@transaction.atomic
def decision_update(*, actor, decision: Decision, **values) -> Decision:
    unknown = set(values) - {*DECISION_FIELDS, "document"}
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    merged = {name: getattr(decision, name) for name in DECISION_FIELDS} | values
    _decision_check(decision.organisation, merged)
    for name in DECISION_FIELDS:
        value = merged[name]
        setattr(decision, name, value.strip() if isinstance(value, str) else value)
    if "document" in values:
        document = _document(values["document"])
        decision.document = "" if document is False else (document or decision.document)
    decision.save()
    audit_record(actor=actor, action="decision.updated", target=decision, organisation=decision.organisation)
    _decision_publish(decision)
    return decision


@transaction.atomic
def decision_delete(*, actor, decision: Decision) -> str:
    """Delete DECISION, or archive it when it answers contributions (their trail keeps it). Returns "deleted" or
    "archived"."""
    if decision.links.exists():
        if not decision.is_archived:
            decision.archived_at = timezone.now()
            decision.save(update_fields=["archived_at"])
            audit_record(actor=actor, action="decision.archived", target=decision,
                         organisation=decision.organisation)
        feed_withdraw(item=decision)
        return "archived"
    for action in decision.actions.all():
        feed_withdraw(item=action)
    feed_withdraw(item=decision)
    audit_record(actor=actor, action="decision.deleted", target=decision, organisation=decision.organisation,
                 data={"title": decision.title})
    decision.delete()
    return "deleted"


@transaction.atomic
def decision_restore(*, actor, decision: Decision) -> Decision:
    decision.archived_at = None
    decision.save(update_fields=["archived_at"])
    audit_record(actor=actor, action="decision.restored", target=decision, organisation=decision.organisation)
    _decision_publish(decision)
    return decision


# ---------------------------------------------------------------------------------------------------------
# The contributions a decision answers
# ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """An item the picker offers: KIND ("proposals.Proposal"), LABEL (« Proposition »), its content type and id,
    title, address and organisation."""
    kind: str
    label: str
    content_type_id: int
    id: int
    title: str
    url: str
    organisation: object


def linkables() -> dict[str, registry.Linkable]:
    """Every kind of item a decision may answer, by model label, as the manifests declare them."""
    return {linkable.model: linkable for manifest in registry.components() for linkable in manifest.linkables}


def item_title(item) -> str:
    return str(getattr(item, "title", "") or item)[:200]


def _organisation(item):
    return getattr(item, "organisation", None)


def linkable_search(*, decision: Decision, query: str = "", kind: str = "") -> list[Candidate]:
    """What DECISION may answer that matches QUERY (of KIND when given): items of the decision's organisation and
    of those below it (the Métropole's decisions reach every commune), not linked yet."""
    organisation_ids = decision.organisation.descendant_ids()
    query = (query or "").strip()[:200]
    found = []
    for label, linkable in linkables().items():
        if kind and kind != label:
            continue
        model = apps.get_model(linkable.model)
        content_type = ContentType.objects.get_for_model(model)
        linked = decision.links.filter(target_type=content_type).values_list("target_id", flat=True)
        items = linkable.search(organisation_ids=organisation_ids, query=query).exclude(pk__in=list(linked))
        for item in items[:SEARCH_LIMIT]:
            found.append(Candidate(kind=label, label=str(linkable.label), content_type_id=content_type.pk,
                                   id=item.pk, title=item_title(item), url=item.get_absolute_url(),
                                   organisation=_organisation(item)))
    return found


def linkable_get(*, content_type_id: int, object_id: int):
    """The item named by a content type and an id, if its model is one a decision may answer; else None."""
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    if model is None or model._meta.label not in linkables():
        return None
    return model._default_manager.filter(pk=object_id).first()


def _target(link: DecisionLink):
    model = link.target_type.model_class()
    return model._default_manager.filter(pk=link.target_id).first() if model is not None else None


def people_of(item) -> list:
    """The accounts that contributed to ITEM (its author, the ledger's rows on it: supports, comments...) and
    those who follow it."""
    content_type = ContentType.objects.get_for_model(item)
    people = {user.pk: user for user in followers_of(item)}
    rows = Contribution.objects.filter(target_type=content_type, target_id=item.pk, author__isnull=False)
    for row in rows.select_related("author"):
        people[row.author_id] = row.author
    author = getattr(item, "author", None)
    if author is not None:
        people[author.pk] = author
    return list(people.values())


@transaction.atomic
def decision_link_add(*, actor, decision: Decision, target, status: str, explanation: str) -> DecisionLink:
    """DECISION answers TARGET (STATUS, with a short public EXPLANATION). A contribution of another organisation
    is refused, unless the decision's organisation covers it (the Métropole, the territory of the commune)."""
    if decision.is_archived:
        raise LinkRefused(_("This decision is archived: restore it before linking contributions to it."))
    if target is None or target._meta.label not in linkables():
        raise LinkRefused(_("This contribution cannot be linked to a decision."))
    organisation = _organisation(target)
    if organisation is None or organisation.pk not in decision.organisation.descendant_ids():
        raise LinkRefused(_("This contribution belongs to another organisation: only a decision of the Métropole "
                            "or of the territory that covers it may answer it."))
    errors = {}
    if status not in DecisionLink.Status.values:
        errors["status"] = [_("Choose the answer the decision gives.")]
    explanation = (explanation or "").strip()
    if not explanation:
        errors["explanation"] = [_("Explain the answer in a sentence: residents read it.")]
    elif len(explanation) > 500:
        errors["explanation"] = [_("Keep the explanation under 500 characters.")]
    if errors:
        raise ValidationError(errors)
    content_type = ContentType.objects.get_for_model(target)
    if decision.links.filter(target_type=content_type, target_id=target.pk).exists():
        raise LinkRefused(_("This decision already answers this contribution."))
    link = DecisionLink.objects.create(
        decision=decision, target_type=content_type, target_id=target.pk, target_kind=target._meta.label,
        target_title=item_title(target), target_url=target.get_absolute_url(), target_organisation=organisation,
        status=status, explanation=explanation, created_by=actor)
    audit_record(actor=actor, action="decision.linked", target=decision, organisation=decision.organisation,
                 data={"kind": target._meta.label, "id": target.pk, "status": status})
    if _shown(decision):
        notification_send(
            recipients=people_of(target), verb=VERB_ANSWERED,
            title=_("A decision answers “%(title)s”") % {"title": link.target_title},
            body=f"{decision.title} — {link.get_status_display()} : {explanation}",
            url=decision.get_absolute_url())
    _decision_publish(decision)
    return link


@transaction.atomic
def decision_link_remove(*, actor, link: DecisionLink) -> None:
    decision = link.decision
    audit_record(actor=actor, action="decision.unlinked", target=decision, organisation=decision.organisation,
                 data={"kind": link.target_kind, "id": link.target_id})
    link.delete()
    _decision_publish(decision)


# ---------------------------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------------------------

ACTION_FIELDS = ("title", "description", "stage", "abandon_reason", "progress", "budget_planned", "budget_spent",
                 "planned_start", "planned_end", "actual_start", "actual_end", "latitude", "longitude", "address",
                 "service")


def _action_check(values: dict) -> None:
    errors = {}
    if not (values.get("title") or "").strip():
        errors["title"] = [_("Give the action a title.")]
    if values.get("stage") not in Action.Stage.values:
        errors["stage"] = [_("Choose the stage of the action.")]
    if values.get("stage") == Action.Stage.ABANDONED and not (values.get("abandon_reason") or "").strip():
        errors["abandon_reason"] = [_("Say why the action was abandoned: residents read it.")]
    progress = values.get("progress")
    if progress is None or not 0 <= int(progress) <= 100:
        errors["progress"] = [_("The progress is a percentage, from 0 to 100.")]
    for name in ("budget_planned", "budget_spent"):
        amount = values.get(name)
        if amount is not None and Decimal(amount) < 0:
            errors[name] = [_("An amount cannot be negative.")]
    for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
        if values.get(start) and values.get(end) and values[end] < values[start]:
            errors[end] = [_("The end cannot come before the start.")]
    if errors:
        raise ValidationError(errors)


def _action_publish(action: Action) -> None:
    decision = action.decision
    if not _shown(decision):
        return
    point = (action.latitude, action.longitude) if action.latitude is not None else None
    feed_publish(item=action, kind=FEED_ACTION, title=action.title, url=action.get_absolute_url(),
                 organisation=decision.organisation, space=decision.space,
                 summary=f"{action.get_stage_display()} · {action.progress} %", targets=[decision], point=point)


def _stage_notify(action: Action) -> None:
    decision = action.decision
    if not _shown(decision):
        return
    people = {user.pk: user for user in followers_of(decision)}
    # A contribution's own action (a winning project's works) concerns that contribution's people, not those of
    # every other contribution the decision answers.
    links = decision.links.filter(pk=action.link_id) if action.link_id else decision.links.all()
    for link in links:
        target = _target(link)
        if target is not None:
            people.update({user.pk: user for user in people_of(target)})
    notification_send(
        recipients=people.values(), verb=VERB_STAGE,
        title=_("“%(title)s”: %(stage)s") % {"title": action.title, "stage": action.get_stage_display()},
        body=decision.title, url=action.get_absolute_url())


@transaction.atomic
def action_create(*, actor, decision: Decision, **values) -> Action:
    values = {"stage": Action.Stage.PLANNED, "progress": 0} | values
    unknown = set(values) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    _action_check(values)
    action = Action.objects.create(decision=decision, **values)
    audit_record(actor=actor, action="action.created", target=action, organisation=decision.organisation)
    _action_publish(action)
    return action


@transaction.atomic
def action_update(*, actor, action: Action, **values) -> Action:
    unknown = set(values) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    merged = {name: getattr(action, name) for name in ACTION_FIELDS} | values
    _action_check(merged)
    previous = action.stage
    for name, value in values.items():
        setattr(action, name, value)
    if action.stage == Action.Stage.DONE:
        action.progress = 100
        action.actual_end = action.actual_end or timezone.localdate()
    action.save()
    audit_record(actor=actor, action="action.updated", target=action, organisation=action.organisation,
                 data={"stage": action.stage} if action.stage != previous else None)
    if action.stage != previous:
        _stage_notify(action)
    _action_publish(action)
    return action


@transaction.atomic
def action_progress_add(*, actor, action: Action, text: str, stage: str = "", progress=None) -> ActionUpdate:
    """A dated public update of ACTION; with STAGE or PROGRESS, the action moves on too (and its followers hear)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write what changed.")]})
    changes = {}
    if stage and stage != action.stage:
        changes["stage"] = stage
    if progress is not None and progress != action.progress:
        changes["progress"] = progress
    if changes.get("stage") == Action.Stage.ABANDONED:
        changes["abandon_reason"] = action.abandon_reason or text[:500]
    if changes:
        action_update(actor=actor, action=action, **changes)
    update = ActionUpdate.objects.create(action=action, text=text, stage=changes.get("stage", ""),
                                         progress=action.progress if "progress" in changes else None, author=actor)
    audit_record(actor=actor, action="action.progress_added", target=action, organisation=action.organisation)
    return update


@transaction.atomic
def action_photo_add(*, actor, action: Action, image, alt: str) -> ActionPhoto:
    alt = (alt or "").strip()
    if not alt:
        raise ValidationError({"alt": [_("Describe the photo for people who cannot see it.")]})
    photo = ActionPhoto.objects.create(action=action, image=uploaded_image_clean(image), alt=alt[:250])
    audit_record(actor=actor, action="action.photo_added", target=action, organisation=action.organisation)
    return photo


# ---------------------------------------------------------------------------------------------------------
# A contribution's own action (the follow-up of a winning budget project): components reach it through these
# ---------------------------------------------------------------------------------------------------------

def action_of(item) -> Action | None:
    """The action that carries ITEM out (its own follow-up), with its updates and photos; None when it has none."""
    return (Action.objects.of_items(type(item), [item.pk]).filter(decision__archived_at__isnull=True)
            .select_related("decision__organisation").prefetch_related("updates", "photos").order_by("pk").first())


def actions_of(model, ids) -> dict[int, Action]:
    """{item id: its action} for the items of MODEL with those IDS, in one query (lists and exports)."""
    found = {}
    for action in (Action.objects.of_items(model, list(ids)).filter(decision__archived_at__isnull=True)
                   .select_related("link").prefetch_related("photos").order_by("pk")):
        found.setdefault(action.link.target_id, action)
    return found


def with_action_figures(queryset):
    """QUERYSET (items of a linkable model) with the figures of each item's own action: `action_stage`,
    `action_progress`, `action_start`, `action_end` (planned dates), None without one. Lists, the API and the open
    data read them in the one query of the items."""
    own = (Action.objects.filter(link__target_type=ContentType.objects.get_for_model(queryset.model),
                                 link__target_id=OuterRef("pk"), decision__archived_at__isnull=True)
           .order_by("pk"))
    return queryset.annotate(**{name: Subquery(own.values(field)[:1]) for name, field in (
        ("action_stage", "stage"), ("action_progress", "progress"), ("action_start", "planned_start"),
        ("action_end", "planned_end"))})


def decision_carrying(model, ids) -> Decision | None:
    """The decision (not archived) whose actions already carry out some of the items of MODEL with those IDS: where
    the next item of the same batch (the other winners of one vote) gets its action."""
    action = (Action.objects.of_items(model, list(ids)).filter(decision__archived_at__isnull=True)
              .select_related("decision").order_by("pk").first())
    return action.decision if action is not None else None


@transaction.atomic
def action_open(*, actor, decision: Decision, item, explanation: str, status: str = DecisionLink.Status.ADOPTED,
                **values) -> Action:
    """ITEM's own action under DECISION: the decision answers ITEM (linked once, its people told) and an action
    carries it out. When ITEM already has its action, that one is returned unchanged."""
    existing = action_of(item)
    if existing is not None:
        return existing
    link = DecisionLink.objects.to_item(item).filter(decision=decision).first()
    if link is None:
        link = decision_link_add(actor=actor, decision=decision, target=item, status=status,
                                 explanation=explanation)
    values = {"title": item_title(item)} | values
    action = action_create(actor=actor, decision=decision, **values)
    action.link = link
    action.save(update_fields=["link"])
    return action


@transaction.atomic
def action_delete(*, actor, action: Action) -> None:
    audit_record(actor=actor, action="action.deleted", target=action, organisation=action.organisation,
                 data={"title": action.title})
    feed_withdraw(item=action)
    action.delete()


# ---------------------------------------------------------------------------------------------------------
# Reading: the trail of a contribution, the tracker
# ---------------------------------------------------------------------------------------------------------

def trail_of(item) -> list[DecisionLink]:
    """The public answers to ITEM: each link with its decision and the decision's actions, oldest first."""
    return list(DecisionLink.objects.to_item(item).filter(decision__in=Decision.objects.public())
                .select_related("decision__organisation").prefetch_related("decision__actions")
                .order_by("decision__decided_on", "pk"))


@dataclass
class TrackerFilters:
    stage: str = ""
    topic: str = ""
    commune: str = ""
    year: int | None = None


def tracker(*, organisation_ids, space=None, filters: TrackerFilters | None = None) -> dict:
    """The public tracker of the organisations ORGANISATION_IDS (or of SPACE): their decisions, and those of others
    that answer their contributions, with their actions, the totals and the late actions, narrowed by FILTERS."""
    filters = filters or TrackerFilters()
    # A commune's tracker also shows the Métropole's or its territory's decisions that answer its contributions.
    organisation_ids = list(organisation_ids)
    decisions = Decision.objects.public().filter(Q(organisation_id__in=organisation_ids)
                                                 | Q(links__target_organisation_id__in=organisation_ids))
    if space is not None:
        decisions = decisions.filter(space=space)
    if filters.topic:
        decisions = decisions.filter(space__topics__slug=filters.topic)
    if filters.commune:
        decisions = decisions.filter(Q(organisation__slug=filters.commune)
                                     | Q(links__target_organisation__slug=filters.commune))
    if filters.year:
        decisions = decisions.filter(decided_on__year=filters.year)
    decisions = decisions.distinct()
    actions = Action.objects.filter(decision__in=decisions)
    if filters.stage == "late":
        actions = actions.late()
    elif filters.stage:
        actions = actions.filter(stage=filters.stage)
    if filters.stage:
        decisions = decisions.filter(pk__in=actions.values("decision_id"))
    totals = actions.aggregate(planned=Sum("budget_planned"), spent=Sum("budget_spent"), count=Count("pk"))
    decisions = (decisions.select_related("organisation", "space")
                 .prefetch_related("actions__photos", "links").order_by("-decided_on", "-pk"))
    return {"decisions": decisions, "actions": actions, "totals": totals, "late": actions.late().count(),
            "done": actions.filter(stage=Action.Stage.DONE).count()}


def years_of(organisation_ids) -> list[int]:
    return sorted({d.year for d in Decision.objects.public().filter(organisation_id__in=organisation_ids)
                   .values_list("decided_on", flat=True)}, reverse=True)
