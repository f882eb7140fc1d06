"""The review of projects by evaluators (eligibility, feasibility, final cost, public answer) and merges."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concerto.components.budgets.models import Budget, Evaluation, Project
from concerto.components.budgets.services.common import (
    ANSWER_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    ProjectError,
    notify,
    person,
    whole_euros,
)
from concerto.core.audit.services import audit_record
from concerto.core.participation.services import followers_of
from concerto.core.participation.submissions.services import submission_locked
from concerto.core.richtext import plain_text, sanitize_html


def _ballot_frozen(project: Project) -> bool:
    """Whether PROJECT is on a list put to the vote that is already published."""
    return bool(project.on_ballot and project.budget_id and Budget.objects.filter(
        pk=project.budget_id, ballot_published_at__isnull=False).exists())



@transaction.atomic
def project_evaluate(*, actor, project: Project, eligibility: str, eligibility_reason: str = "",
                     feasibility: str = "", cost_estimate=None, notes: str = "",
                     public_answer: str = "") -> Evaluation:
    """An evaluator records their assessment of PROJECT. The project takes its outcome: eligibility (with a
    reason when not eligible), feasibility, the services' cost estimate as the final cost, and the public
    answer, which its author and followers are told about when it changes."""
    errors: dict[str, list[str]] = {}
    if eligibility not in Project.Eligibility.values:
        errors["eligibility"] = [_("Choose an eligibility from the list.")]
    reason = sanitize_html((eligibility_reason or "").strip())
    if eligibility == Project.Eligibility.INELIGIBLE and not plain_text(reason):
        errors["eligibility_reason"] = [_("Give the reason why the project is not eligible: its author and "
                                          "residents need to know it.")]
    if feasibility not in Project.Feasibility.values:
        errors["feasibility"] = [_("Choose a feasibility from the list.")]
    cost = whole_euros(cost_estimate, field="cost_estimate", errors=errors, required=False)
    if cost is not None and project.budget_id:
        amount = Budget.objects.filter(pk=project.budget_id).values_list("amount", flat=True).first()
        if amount is not None and cost > amount:
            errors["cost_estimate"] = [_("The cost is more than the budget (%(amount)s €): it must fit in it.")
                                       % {"amount": f"{amount:,}".replace(",", "\u202f")}]
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX_LENGTH:
        errors["notes"] = [_("The notes are too long: %(max)s characters at most.") % {"max": NOTES_MAX_LENGTH}]
    raw_answer = (public_answer or "").strip()
    answer = sanitize_html(raw_answer)
    if len(raw_answer) > ANSWER_MAX_LENGTH:
        errors["public_answer"] = [_("The answer is too long: %(max)s characters at most.")
                                   % {"max": ANSWER_MAX_LENGTH}]
    if errors:
        raise ValidationError(errors)
    locked = submission_locked(project)
    if locked.withdrawn_at is not None:
        raise ProjectError(_("Its author withdrew this project: it is no longer reviewed."))
    cost_changes = cost is not None and cost != locked.final_cost
    if _ballot_frozen(locked) and (eligibility != locked.eligibility or cost_changes):
        raise ProjectError(_("This project is on the published list of projects put to the vote: unpublish the "
                             "list before changing its eligibility or its cost."))
    evaluation = Evaluation.objects.create(
        project=locked, evaluator=person(actor), eligibility=eligibility, feasibility=feasibility,
        cost_estimate=cost, notes=notes)
    answer_changed = plain_text(answer) != plain_text(locked.public_answer) and bool(plain_text(answer))
    locked.eligibility = eligibility
    locked.eligibility_reason = reason if eligibility == Project.Eligibility.INELIGIBLE else ""
    locked.feasibility = feasibility
    if cost is not None:
        locked.final_cost = cost
    if eligibility != Project.Eligibility.ELIGIBLE and locked.on_ballot:
        locked.on_ballot, locked.ballot_number = False, None
    locked.public_answer = answer
    if answer_changed:
        locked.answered_at = timezone.now()
    locked.save()
    audit_record(actor=actor, action="budgets.project_evaluated", target=locked, organisation=locked.organisation,
                 data={"eligibility": eligibility, "feasibility": feasibility, "final_cost": locked.final_cost})
    if answer_changed and locked.is_public:
        recipients = [locked.author, *followers_of(locked)]
        with translation.override(settings.LANGUAGE_CODE):
            title = _("%(organisation)s answered the project “%(title)s”") % {
                "organisation": locked.organisation.name, "title": locked.title}
            body = plain_text(answer)
        notify(actor=actor, recipients=recipients, verb="budgets.project_answered", title=title, body=body,
                url=locked.get_absolute_url())
    project.__dict__.update({name: getattr(locked, name) for name in (
        "eligibility", "eligibility_reason", "feasibility", "final_cost", "public_answer", "answered_at",
        "on_ballot", "ballot_number")})
    return evaluation


@transaction.atomic
def project_merge(*, actor, project: Project, into: Project) -> Project:
    """PROJECT is merged into INTO (similar projects): it points to INTO, leaves the list put to the vote,
    keeps its page and comments; the authors of both are notified. Projects already merged into PROJECT
    follow it into INTO."""
    if into.pk == project.pk:
        raise ValidationError({"into": [_("A project cannot be merged into itself.")]})
    if into.component_id != project.component_id:
        raise ValidationError({"into": [_("Choose a project of the same participatory budget.")]})
    locked = submission_locked(project)
    target = submission_locked(into)
    target.component = project.component
    if target.merged_into_id:
        raise ValidationError({"into": [_("This project is itself merged into another one: choose that one.")]})
    if target.withdrawn_at is not None:
        raise ValidationError({"into": [_("Its author withdrew this project: choose another one.")]})
    if locked.merged_into_id:
        raise ProjectError(_("This project is already merged into another one."))
    if _ballot_frozen(locked):
        raise ProjectError(_("This project is on the published list of projects put to the vote: unpublish the "
                             "list before merging it."))
    locked.merged_into = target
    locked.on_ballot, locked.ballot_number = False, None
    locked.save(update_fields=["merged_into", "on_ballot", "ballot_number", "updated_at"])
    followers = list(Project.objects.filter(merged_into=locked))
    Project.objects.filter(merged_into=locked).update(merged_into=target)
    audit_record(actor=actor, action="budgets.project_merged", target=locked, organisation=locked.organisation,
                 data={"into": target.pk, "also": [p.pk for p in followers]})
    with translation.override(settings.LANGUAGE_CODE):
        title = _("The project “%(title)s” is merged into “%(into)s”") % {"title": locked.title,
                                                                           "into": target.title}
        body = _("The services found these projects similar and merged them: “%(into)s” goes on, with the "
                 "ideas of both. The comments stay on each page.") % {"into": target.title}
    recipients = [locked.author, target.author, *(p.author for p in followers)]
    notify(actor=actor, recipients=recipients, verb="budgets.project_merged", title=title, body=body,
            url=target.get_absolute_url())
    project.merged_into = target
    project.on_ballot, project.ballot_number = False, None
    return locked
