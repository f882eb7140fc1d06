"""Ideas become projects: agents turn proposals of the same space into budget projects, in one action.

The ideas come through the kernel (participation.submissions.ideas), never from the proposals component
itself: each project keeps the link to its idea (an ItemLink), its author (notified) and the idea's
supporters, who follow the project."""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from concerto.components.budgets.models import Budget, Project
from concerto.components.budgets.services.common import ProjectError, check_component, notify
from concerto.core.audit.services import audit_record
from concerto.core.participation.models import ItemLink
from concerto.core.participation.services import followers_add, item_link_create
from concerto.core.participation.submissions.ideas import Idea, idea_candidates, ideas_from_keys


class IdeasRefused(ProjectError):
    """Some ideas cannot become projects; KEYS names them, for the API's answer."""

    def __init__(self, message: str, keys: list[str]):
        super().__init__(message)
        self.keys = keys


def ideas_eligible(component) -> list[Idea]:
    """The ideas of COMPONENT's space that may become projects of COMPONENT."""
    check_component(component)
    return idea_candidates(component.space)


def project_source(project: Project) -> ItemLink | None:
    """The idea PROJECT came from, if it came from one."""
    return ItemLink.objects.to_item(project).first()


@transaction.atomic
def projects_from_ideas(*, actor, component, keys, budget: Budget | None = None) -> list[Project]:
    """Turn the ideas named by KEYS ("<component id>:<item id>", see ideas_eligible) into projects of
    COMPONENT (in BUDGET, one of its envelopes). All or nothing: an idea of another space, one already
    turned into a project or withdrawn, and nothing changes."""
    check_component(component)
    if budget is not None and budget.component_id != component.pk:
        raise ProjectError(_("Choose a budget of this participatory budget."))
    if not keys:
        raise ProjectError(_("Tick at least one idea."))
    ideas, unknown = ideas_from_keys(component.space, keys)
    if unknown:
        raise IdeasRefused(_("Only ideas of this space that have not become a project yet can be turned into "
                             "projects: %(count)s of the ticked ideas cannot. Nothing was changed.")
                           % {"count": len(unknown)}, unknown)
    projects = []
    for idea in ideas:
        item = idea.item
        supporters = idea.supporters
        project = Project.objects.create(
            component=component, budget=budget, author=item.author, title=item.title[:150], text=item.text,
            latitude=item.latitude, longitude=item.longitude, commune=item.commune)
        followers_add(user_ids=[*supporters, item.author_id], target=project)
        item_link_create(actor=actor, source=item, target=project, source_supports=len(supporters))
        audit_record(actor=actor, action="budgets.project_from_idea", target=project,
                     organisation=component.space.organisation, data={"idea": idea.key})
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Your idea “%(title)s” became a project of the participatory budget") % {"title": item.title}
            body = _("The team turned it into a project: it will be studied, then perhaps put to the vote. You "
                     "follow it, as do the people who supported your idea.")
        notify(actor=actor, recipients=[item.author], verb="budgets.project_from_idea", title=title, body=body,
               url=project.get_absolute_url())
        projects.append(project)
    return projects
