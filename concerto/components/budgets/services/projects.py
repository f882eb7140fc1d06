"""Projects as their authors see them: categories, submitting, editing and withdrawing a project.

The content (title, rich text, point) is checked by the kernel's submission services with this component's
own messages."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concerto.components.budgets.models import Budget, Category, Project
from concerto.components.budgets.services.common import (
    TEXT_MAX_LENGTH,
    ProjectError,
    check_component,
    person,
    whole_euros,
)
from concerto.core.accounts.verification import action_require
from concerto.core.audit.services import audit_record
from concerto.core.participation.behalf import behalf_check
from concerto.core.participation.services import contribution_record
from concerto.core.participation.submissions.services import (
    submission_author_locked,
    submission_category_check,
    submission_content_clean,
    submission_old_image_drop,
    submission_point_apply,
    submission_point_clean,
    submission_withdrawn,
)
from concerto.core.ratelimit import send_limited
from concerto.core.spaces.categories import services as categories
from concerto.core.uploads import uploaded_image_clean

EDITABLE_FIELDS = ("title", "text", "estimated_cost", "budget", "category", "image", "image_alt", "point")


# Categories -------------------------------------------------------------------------------------------

# Added, changed and deleted by the kernel's services, the same for every component with categories.

def category_create(*, actor, component, name: str, position: int | None = None) -> Category:
    return categories.category_create(Category, actor=actor, component=component, name=name, position=position)


category_update = categories.category_update
category_delete = categories.category_delete


# Submission -------------------------------------------------------------------------------------------

def _clean_content(component, *, title, text, estimated_cost, budget, category, point) -> dict:
    """The checked, sanitised content of a project, or a ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
    title, clean = submission_content_clean(
        title=title, text=text, errors=errors, text_max_length=TEXT_MAX_LENGTH,
        title_missing=_("Give your project a title."), text_missing=_("Describe your project."),
        text_too_long=_("The description is too long (%(length)s characters): %(max)s characters at most."))
    budgets = list(Budget.objects.filter(component=component))
    if budget is None and len(budgets) == 1:
        budget = budgets[0]
    if budget is not None and budget.component_id != component.pk:
        errors["budget"] = [_("Choose one of the budgets of the list.")]
        budget = None
    elif budget is None and len(budgets) > 1:
        errors["budget"] = [_("Choose the budget your project is for.")]
    cost = whole_euros(estimated_cost, field="estimated_cost", errors=errors, required=True,
                       maximum=budget.amount if budget is not None else None,
                       empty_message=_("Give an estimate of the cost, in euros."))
    submission_category_check(component, category, errors=errors)
    point, commune = submission_point_clean(point, errors=errors, within=component.space.organisation)
    if errors:
        raise ValidationError(errors)
    return {"title": title, "text": clean, "estimated_cost": cost, "budget": budget, "category": category,
            "point": point, "commune": commune}


def _check_image(image, image_alt: str):
    """(the image to store, its description): a new upload goes through the kernel's pipeline."""
    image_alt = " ".join((image_alt or "").split())
    image = uploaded_image_clean(image)
    if image and not image_alt:
        raise ValidationError({"image_alt": [_("Describe the image for people who cannot see it.")]})
    if len(image_alt) > Project._meta.get_field("image_alt").max_length:
        raise ValidationError({"image_alt": [_("The description is too long: 200 characters at most.")]})
    return image, image_alt


def submission_refusal(component) -> str:
    """Why no project can be submitted in COMPONENT today ("" while submissions are open)."""
    window = component.window("submissions_open")
    if window.open:
        return ""
    closed = _("Submissions of projects are closed.")
    return f"{closed} {window.message}"


@send_limited("project")
@transaction.atomic
def project_create(*, author, component, title: str, text: str, estimated_cost, budget=None, category=None,
                   point=None, image=None, image_alt: str = "", channel: str = "web", on_behalf_of=None) -> Project:
    """AUTHOR submits a project in COMPONENT while the current step takes submissions, ON_BEHALF_OF an actor they
    are a member of, or None (core/participation/behalf.py).

    POINT is None or (latitude, longitude) within the space's organisation; the commune there is kept.
    BUDGET is required when the component has several; its amount caps ESTIMATED_COST (whole euros).
    Raises VerificationRequired when the component reserves submitting to verified residents and AUTHOR is
    not one of the space's organisation."""
    check_component(component)
    refusal = submission_refusal(component)
    if refusal:
        raise ProjectError(refusal)
    action_require(user=author, component=component, action="submit")
    behalf_check(user=author, organisation=component.space.organisation, actor=on_behalf_of)
    values = _clean_content(component, title=title, text=text, estimated_cost=estimated_cost, budget=budget,
                            category=category, point=point)
    image, image_alt = _check_image(image, image_alt)
    project = Project(
        component=component, author=person(author), title=values["title"], text=values["text"],
        estimated_cost=values["estimated_cost"], budget=values["budget"], category=values["category"],
        image=image or "", image_alt=image_alt if image else "",
    )
    submission_point_apply(project, values["point"], values["commune"])
    project.save()
    contribution_record(kind="budgets.project", target=project, component=component, author=author,
                        channel=channel, on_behalf_of=on_behalf_of)
    audit_record(actor=author, action="budgets.project_created", target=project,
                 organisation=component.space.organisation)
    return project


def edit_blocker(project: Project) -> str:
    """Why the author can no longer change PROJECT ("" while they can): the review has started, or it left."""
    if project.withdrawn_at is not None:
        return _("You withdrew this project: it can no longer be changed.")
    if project.is_hidden:
        return _("This project was hidden by moderation: it can no longer be changed.")
    if project.merged_into_id:
        return _("This project was merged into another one: it can no longer be changed.")
    if project.eligibility or project.final_cost is not None or project.on_ballot or project.evaluations.exists():
        return _("The services have started to review this project: it can no longer be changed, so that they "
                 "review the text you sent.")
    return ""


@transaction.atomic
def project_update(*, actor, project: Project, **changes) -> Project:
    """The author changes some of EDITABLE_FIELDS of PROJECT until its review starts.

    `image=False` removes the image, `image=None` keeps it; `point=None` removes the location."""
    locked = submission_author_locked(
        project, actor=actor, changes=changes, editable=EDITABLE_FIELDS, blocker=edit_blocker,
        refusal=ProjectError, not_author=ProjectError(_("Only the author of a project can change it.")))
    values = _clean_content(
        project.component, title=changes.get("title", locked.title), text=changes.get("text", locked.text),
        estimated_cost=changes.get("estimated_cost", locked.estimated_cost),
        budget=changes.get("budget", locked.budget), category=changes.get("category", locked.category),
        point=changes.get("point", locked.point),
    )
    image = changes.get("image")
    keeps_image = bool(image) or (image is None and bool(locked.image))
    checked, image_alt = _check_image(image if image else (locked.image if keeps_image else None),
                                      changes.get("image_alt", locked.image_alt))
    image = checked if image else image
    old_image = locked.image.name if locked.image else ""
    for name in ("title", "text", "estimated_cost", "budget", "category"):
        setattr(locked, name, values[name])
    submission_point_apply(locked, values["point"], values["commune"])
    if image is False:
        locked.image = ""
    elif image:
        locked.image = image
    locked.image_alt = image_alt if locked.image else ""
    locked.save()
    audit_record(actor=actor, action="budgets.project_updated", target=locked, organisation=locked.organisation,
                 data={"fields": sorted(changes)})
    submission_old_image_drop(locked, old_image)
    return locked


@transaction.atomic
def project_withdraw(*, actor, project: Project) -> Project:
    """The author withdraws PROJECT: it leaves the public list and the vote; its page stays for them."""
    locked = submission_author_locked(
        project, actor=actor, not_author=ProjectError(_("Only the author of a project can withdraw it.")))
    if locked.withdrawn_at is not None:
        return locked
    if locked.on_ballot and locked.budget_id and Budget.objects.filter(
            pk=locked.budget_id, ballot_published_at__isnull=False).exists():
        raise ProjectError(_("This project is on the published list of projects put to the vote: it can no "
                             "longer be withdrawn. Contact the collectivité."))
    locked.on_ballot, locked.ballot_number = False, None
    return submission_withdrawn(actor=actor, locked=locked, submission=project, action="budgets.project_withdrawn",
                                also=("on_ballot", "ballot_number"))
