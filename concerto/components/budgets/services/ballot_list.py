"""The list of projects put to the vote: choosing, numbering, publishing and taking it back."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concerto.components.budgets.models import Budget, Project
from concerto.components.budgets.services.common import ProjectError, notify
from concerto.core.audit.services import audit_record


def ballot_candidates(budget: Budget):
    """The projects of BUDGET that can be put to the vote: eligible, with a final cost, not merged, not
    withdrawn, not hidden."""
    return (Project.objects.visible().filter(budget=budget, eligibility=Project.Eligibility.ELIGIBLE,
                                             final_cost__isnull=False, merged_into__isnull=True,
                                             withdrawn_at__isnull=True)
            .order_by(F("ballot_number").asc(nulls_last=True), "title", "pk"))


def ballot_list_blocker(budget: Budget) -> str:
    if budget.ballot_published_at is not None:
        return _("The list is published: unpublish it before changing it.")
    return ""


@transaction.atomic
def ballot_list_set(*, actor, budget: Budget, project_ids: list[int]) -> list[Project]:
    """Put the projects PROJECT_IDS of BUDGET to the vote, numbered 1, 2... in that order; the others leave."""
    locked = Budget.objects.select_for_update().get(pk=budget.pk)
    blocker = ballot_list_blocker(locked)
    if blocker:
        raise ProjectError(blocker)
    ids = list(dict.fromkeys(int(pk) for pk in project_ids))
    candidates = {project.pk: project for project in ballot_candidates(locked).filter(pk__in=ids)}
    unknown = [pk for pk in ids if pk not in candidates]
    if unknown:
        raise ValidationError({"projects": [_("Only eligible projects of this budget with a final cost can be put "
                                              "to the vote.")]})
    Project.objects.filter(budget=locked).exclude(pk__in=ids).update(on_ballot=False, ballot_number=None)
    chosen = []
    for number, pk in enumerate(ids, start=1):
        project = candidates[pk]
        project.on_ballot, project.ballot_number = True, number
        project.save(update_fields=["on_ballot", "ballot_number", "updated_at"])
        chosen.append(project)
    audit_record(actor=actor, action="budgets.ballot_list_set", target=locked, organisation=budget.organisation,
                 data={"projects": ids})
    return chosen


@transaction.atomic
def ballot_list_publish(*, actor, budget: Budget) -> Budget:
    """Publish the list of projects put to the vote with their final costs; their authors are told."""
    locked = Budget.objects.select_for_update().select_related("component__space__organisation").get(pk=budget.pk)
    if locked.ballot_published_at is not None:
        return locked
    projects = list(Project.objects.visible().on_ballot().filter(budget=locked).select_related("author"))
    if not projects:
        raise ProjectError(_("Choose at least one project to put to the vote before publishing the list."))
    locked.ballot_published_at = timezone.now()
    locked.save(update_fields=["ballot_published_at"])
    audit_record(actor=actor, action="budgets.ballot_list_published", target=locked,
                 organisation=locked.organisation, data={"projects": [p.pk for p in projects]})
    with translation.override(settings.LANGUAGE_CODE):
        for project in projects:
            project.component = locked.component
            title = _("Your project “%(title)s” is put to the vote") % {"title": project.title}
            body = _("Its final cost is %(cost)s €.") % {"cost": f"{project.final_cost:,}".replace(",", "\u202f")}
            notify(actor=actor, recipients=[project.author], verb="budgets.project_on_ballot", title=title,
                    body=body, url=project.get_absolute_url())
    budget.ballot_published_at = locked.ballot_published_at
    return locked


@transaction.atomic
def ballot_list_unpublish(*, actor, budget: Budget) -> Budget:
    """Take the list back to change it, only while nobody has voted on it."""
    locked = Budget.objects.select_for_update().get(pk=budget.pk)
    if locked.ballots.exists():
        raise ProjectError(_("People have already voted on this list: it can no longer change, so that every "
                             "ballot counts the projects its voter saw."))
    if locked.ballot_published_at is None:
        return locked
    locked.ballot_published_at = None
    locked.save(update_fields=["ballot_published_at"])
    audit_record(actor=actor, action="budgets.ballot_list_unpublished", target=locked,
                 organisation=budget.organisation)
    budget.ballot_published_at = None
    return locked
