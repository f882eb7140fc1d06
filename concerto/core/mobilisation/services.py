"""Concertation plans and the actors directory: every change goes through here, audit-logged.

A plan is written one section at a time and saved whatever is missing (a draft); it is published only when every
section says something, as the space's « Comment fonctionne cette concertation » page; changing a published plan
keeps it published (the page shows the last version)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.core.audit.services import audit_record
from concerto.core.errors import Refusal
from concerto.core.mobilisation.models import Actor, ActorContact, Plan, PlanMilestone, PlanStakeholder


@dataclass(frozen=True)
class Section:
    """One page of the guided plan: its slug in the URL, its title, the plan's fields it edits, and whether it
    says enough to publish."""

    slug: str
    title: object  # lazy translated
    fields: tuple[str, ...]
    complete: Callable[[Plan], bool]
    hint: object = ""


SECTIONS = (
    Section("question", gettext_lazy("The question and what residents can change"),
            ("question", "open_to_change", "not_open"), lambda plan: bool(plan.question and plan.open_to_change),
            gettext_lazy("Say plainly what is put to residents, what they can change and what is already decided.")),
    Section("decision", gettext_lazy("The decision"), ("decision", "decision_maker", "decision_date"),
            lambda plan: bool(plan.decision and plan.decision_maker),
            gettext_lazy("Which decision the concertation feeds, who takes it and when.")),
    Section("publics", gettext_lazy("The publics to reach"),
            ("age_bands", "actor_kinds", "quartiers", "priority_areas", "publics_note"),
            lambda plan: bool(plan.age_bands or plan.actor_kinds or plan.quartiers.strip() or plan.priority_areas),
            gettext_lazy("Whom the concertation must reach beyond the usual participants: ages, quartiers, "
                         "kinds of actors.")),
    Section("acteurs", gettext_lazy("The actors to involve"), (), lambda plan: plan.stakeholders.exists(),
            gettext_lazy("The associations, schools, traders and bodies to involve, their role and how to reach "
                         "them.")),
    Section("calendrier", gettext_lazy("The mobilisation calendar"), (), lambda plan: plan.milestones.exists(),
            gettext_lazy("One or two months before opening and while it is open: events, campaigns, posters, "
                         "partners' relays.")),
    Section("canaux", gettext_lazy("The channels"), ("channels",), lambda plan: bool(plan.channels),
            gettext_lazy("Where residents can take part and hear about it.")),
    Section("retours", gettext_lazy("Feedback to residents"), ("feedback", "feedback_date"),
            lambda plan: bool(plan.feedback.strip()),
            gettext_lazy("How and when residents will hear what became of their contributions.")),
)
SECTION_BY_SLUG = {section.slug: section for section in SECTIONS}


class PlanRefused(Refusal):
    pass


def plan_of(space) -> Plan:
    """SPACE's plan, created empty (a draft) the first time it is asked for."""
    plan, _created = Plan.objects.get_or_create(space=space)
    return plan


def public_plan(space) -> Plan | None:
    """SPACE's plan if it is published, else None."""
    return Plan.objects.filter(space=space, status=Plan.Status.PUBLISHED).select_related("space").first()


def sections_state(plan: Plan) -> list[tuple[Section, bool]]:
    """Each section with whether it says enough to publish."""
    return [(section, section.complete(plan)) for section in SECTIONS]


def missing_sections(plan: Plan) -> list[Section]:
    return [section for section, complete in sections_state(plan) if not complete]


def _record(actor, action: str, plan: Plan, **data) -> None:
    audit_record(actor=actor, action=action, target=plan.space, organisation=plan.space.organisation,
                 data={"space": plan.space.slug, **data})


@transaction.atomic
def plan_section_save(*, actor, plan: Plan, section: Section, values: dict) -> Plan:
    """Save SECTION's fields of PLAN from VALUES (whatever else is missing: a plan may stay a draft)."""
    for name in section.fields:
        setattr(plan, name, values.get(name))
    plan.save()
    _record(actor, "mobilisation.plan_changed", plan, section=section.slug)
    return plan


@transaction.atomic
def plan_publish(*, actor, plan: Plan) -> Plan:
    """Publish PLAN as the space's « how this concertation works » page: refused while a section is missing."""
    missing = missing_sections(plan)
    if missing:
        raise PlanRefused(_("The plan cannot be published yet: complete these sections first: %(sections)s.")
                          % {"sections": ", ".join(str(section.title) for section in missing)})
    if not plan.is_published:
        plan.status, plan.published_at = Plan.Status.PUBLISHED, timezone.now()
        plan.save(update_fields=["status", "published_at", "updated_at"])
        _record(actor, "mobilisation.plan_published", plan)
    return plan


@transaction.atomic
def plan_unpublish(*, actor, plan: Plan) -> Plan:
    if plan.is_published:
        plan.status = Plan.Status.DRAFT
        plan.save(update_fields=["status", "updated_at"])
        _record(actor, "mobilisation.plan_unpublished", plan)
    return plan


@transaction.atomic
def stakeholder_add(*, actor, plan: Plan, values: dict) -> PlanStakeholder:
    """Add an actor to involve: one of the directory's (of the plan's organisation) or a name."""
    chosen = values.get("actor")
    if chosen is not None and chosen.organisation_id != plan.space.organisation_id:
        raise PlanRefused(_("This actor is not in your organisation's directory."))
    name = (values.get("name") or "").strip()
    if chosen is None and not name:
        raise PlanRefused(_("Choose an actor from the directory or write its name."))
    stakeholder = PlanStakeholder.objects.create(plan=plan, actor=chosen, name="" if chosen else name,
                                                 role=values["role"], reached_by=values["reached_by"])
    plan.save(update_fields=["updated_at"])
    _record(actor, "mobilisation.plan_changed", plan, section="acteurs")
    return stakeholder


@transaction.atomic
def milestone_add(*, actor, plan: Plan, values: dict) -> PlanMilestone:
    milestone = PlanMilestone.objects.create(plan=plan, date=values["date"], kind=values["kind"],
                                             title=values["title"], public=values.get("public") or "")
    plan.save(update_fields=["updated_at"])
    _record(actor, "mobilisation.plan_changed", plan, section="calendrier")
    return milestone


@transaction.atomic
def plan_row_remove(*, actor, plan: Plan, row) -> None:
    """Remove a stakeholder or a milestone of PLAN. A published plan keeps at least one of each."""
    rows = plan.stakeholders if isinstance(row, PlanStakeholder) else plan.milestones
    if plan.is_published and rows.count() == 1:
        raise PlanRefused(_("A published plan keeps at least one actor and one date: add another one first, or "
                            "unpublish the plan."))
    section = "acteurs" if isinstance(row, PlanStakeholder) else "calendrier"
    row.delete()
    plan.save(update_fields=["updated_at"])
    _record(actor, "mobilisation.plan_changed", plan, section=section)


# The actors directory. -----------------------------------------------------------------------------------------

ACTOR_FIELDS = ("name", "kind", "description", "quartiers", "priority_area", "website")


@transaction.atomic
def actor_save(*, actor, organisation, values: dict, existing: Actor | None = None) -> Actor:
    """Create (EXISTING None) or change an actor of ORGANISATION's directory."""
    item = existing or Actor(organisation=organisation)
    for name in ACTOR_FIELDS:
        setattr(item, name, values.get(name) if values.get(name) is not None else "")
    item.save()
    if "topics" in values:
        item.topics.set(values["topics"])
    audit_record(actor=actor, action="mobilisation.actor_changed" if existing else "mobilisation.actor_created",
                 target=item, organisation=organisation, data={"name": item.name})
    return item


@transaction.atomic
def actor_delete(*, actor, item: Actor) -> None:
    """Delete an actor and its contact persons (the plans that named it keep its role, without the link)."""
    audit_record(actor=actor, action="mobilisation.actor_deleted", target=item, organisation=item.organisation,
                 data={"name": item.name})
    item.delete()


@transaction.atomic
def contact_add(*, actor, item: Actor, values: dict) -> ActorContact:
    if not (values.get("email") or values.get("phone")):
        raise PlanRefused(_("Give an email address or a phone number to reach this person."))
    if values.get("campaigns_consent") and not values.get("email"):
        raise PlanRefused(_("Invitations go by email: give this person's email address."))
    contact = ActorContact.objects.create(
        actor=item, name=values["name"], role=values.get("role") or "", email=values.get("email") or "",
        phone=values.get("phone") or "",
        campaigns_consent_at=timezone.now() if values.get("campaigns_consent") else None)
    audit_record(actor=actor, action="mobilisation.actor_changed", target=item, organisation=item.organisation,
                 data={"name": item.name, "contact": "added"})
    return contact


@transaction.atomic
def contact_remove(*, actor, contact: ActorContact) -> None:
    item = contact.actor
    contact.delete()
    audit_record(actor=actor, action="mobilisation.actor_changed", target=item, organisation=item.organisation,
                 data={"name": item.name, "contact": "removed"})
