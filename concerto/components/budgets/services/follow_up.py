"""The follow-up of winning projects: each winning project has its own action in the kernel's decisions and
actions (core/accountability), under the decision that carries out its budget's vote; budgets keeps no follow-up
of its own. The stages, progress, news and photos are the action's; its people (the project's author, supporters
and followers) hear of each stage through the kernel's notifications."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concerto.components.budgets.models import Budget, Project
from concerto.components.budgets.services.common import ProjectError, person
from concerto.core.accountability import services as accountability
from concerto.core.accountability.models import Action, ActionUpdate, Decision
from concerto.core.participation.submissions.services import submission_locked

MAX_PHOTOS_PER_UPDATE = 3
UPDATE_MAX_LENGTH = ActionUpdate._meta.get_field("text").max_length
ALT_MAX_LENGTH = 200


def project_action(project: Project) -> Action | None:
    """The action of PROJECT (with its updates and photos), or None while its follow-up has not begun."""
    return accountability.action_of(project)


def project_actions(projects) -> dict[int, Action]:
    """{project id: its action} for PROJECTS, in one query."""
    return accountability.actions_of(Project, [project.pk for project in projects])


def _budget_decision(*, actor, project: Project) -> Decision:
    """The decision whose actions carry out the winners of PROJECT's budget: the one the actions of the budget's
    projects already have (a count published again keeps it), else a new one dated the day the result was
    published."""
    projects = Project.objects.filter(component_id=project.component_id, budget_id=project.budget_id)
    decision = accountability.decision_carrying(Project, projects.values_list("pk", flat=True))
    if decision is not None:
        return decision
    budget = project.budget
    result = budget.results.filter(published_at__isnull=False).order_by("-published_at").first() if budget else None
    decided_on = timezone.localdate(result.published_at) if result else timezone.localdate()
    space = project.component.space
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Carrying out the winning projects — %(budget)s") % {
            "budget": budget.name if budget else project.component.title}
    return accountability.decision_create(actor=person(actor), organisation=space.organisation, space=space,
                                          title=title[:200], decided_on=decided_on,
                                          body=Decision.Body.MUNICIPAL_COUNCIL)


def _budget_locked(project: Project) -> None:
    """Lock PROJECT's budget row for the transaction: the result's publication and an agent's news open the
    winners' actions one at a time, so a budget never gets two decisions nor a project two actions."""
    if project.budget_id is not None:
        Budget.objects.select_for_update().filter(pk=project.budget_id).values_list("pk").first()


@transaction.atomic
def follow_up_open(*, actor, project: Project) -> Action:
    """The action of winning PROJECT, made the first time its follow-up is opened (when its budget's result is
    published, or by the first news for a winner from before): its budget's decision answers it (« retenu », the
    kernel telling its people) and the action starts planned, at 0 %, from the project's cost and place."""
    if not project.selected:
        raise ProjectError(_("Only winning projects have a follow-up."))
    _budget_locked(project)
    action = accountability.action_of(project)
    if action is not None:
        return action
    decision = _budget_decision(actor=actor, project=project)
    with translation.override(settings.LANGUAGE_CODE):
        explanation = _("Winning project of the vote.")
    return accountability.action_open(
        actor=person(actor), decision=decision, item=project, explanation=explanation, budget_planned=project.cost,
        latitude=project.latitude, longitude=project.longitude, address=project.address[:250])


@transaction.atomic
def winners_follow_up_open(*, actor, budget: Budget) -> list[Action]:
    """The actions of BUDGET's winners, opened when its result is published (in the publication's transaction):
    one decision for the budget, one link and one action per winner; those already open are left as they are."""
    winners = Project.objects.filter(budget=budget, selected=True).select_related(
        "budget", "component__space__organisation").order_by("pk")
    return [follow_up_open(actor=actor, project=project) for project in winners]


def _check(*, stage: str, progress, text: str, photos) -> tuple[int, list]:
    errors: dict[str, list[str]] = {}
    if stage not in Action.Stage.values:
        errors["stage"] = [_("Choose the stage of the action.")]
    try:
        progress = int(progress)
    except (TypeError, ValueError):
        progress = -1
    if not 0 <= progress <= 100:
        errors["progress"] = [_("The progress is a percentage, from 0 to 100.")]
    if len(text) > UPDATE_MAX_LENGTH:
        errors["text"] = [_("The text is too long: %(max)s characters at most.") % {"max": UPDATE_MAX_LENGTH}]
    photos = [(file, " ".join((alt or "").split())) for file, alt in photos if file]
    if len(photos) > MAX_PHOTOS_PER_UPDATE:
        errors["photos"] = [_("Three photos at most per update.")]
    for number, (_file, alt) in enumerate(photos, start=1):
        if not alt:
            errors[f"photo_{number}_alt"] = [_("Describe the photo for people who cannot see it.")]
        elif len(alt) > ALT_MAX_LENGTH:
            errors[f"photo_{number}_alt"] = [_("The description is too long: 200 characters at most.")]
    if errors:
        raise ValidationError(errors)
    return progress, photos


@transaction.atomic
def progress_update_create(*, actor, project: Project, stage: str, progress: int, text: str, photos=(),
                           works_start=None, works_end=None) -> ActionUpdate:
    """News of winning PROJECT: a public update of its action (TEXT, the STAGE and PROGRESS it reached), up to 3
    photos (file, alt) and the works' planned dates. Those who took part in the project and its followers hear of
    a new stage (the kernel's `accountability.action_stage`). Nothing is saved when anything is wrong."""
    text = (text or "").strip()
    progress, photos = _check(stage=stage, progress=progress, text=text, photos=photos)
    _budget_locked(project)  # the budget before the project, in the order the publication takes them
    locked = submission_locked(project)
    action = follow_up_open(actor=actor, project=locked)
    dates = {name: value for name, value in (("planned_start", works_start), ("planned_end", works_end)) if value}
    if dates:
        try:
            action = accountability.action_update(actor=person(actor), action=action, **dates)
        except ValidationError as error:
            raise ValidationError({"works_end": error.messages}) from None
    update = accountability.action_progress_add(actor=person(actor), action=action, text=text, stage=stage,
                                                progress=progress)
    for number, (file, alt) in enumerate(photos, start=1):
        try:
            accountability.action_photo_add(actor=person(actor), action=action, image=file, alt=alt)
        except ValidationError as error:
            raise ValidationError({f"photo_{number}": error.messages}) from None
    return update
