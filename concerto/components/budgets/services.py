"""Write actions on the projects of participatory budgets: budgets (envelopes) and categories, submission,
review by evaluators, merges, the list of projects put to the vote, and the follow-up of winning projects.

The public pages, the back-office and the API call these same functions. Each one writes an audit entry;
notifications are rows written in the same transaction, whose emails leave after commit (see
participation.services.notification_send), so a rolled-back change tells nobody anything.
Ballots are in ballots.py, results in results.py.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from concerto.components.budgets.models import (
    Budget,
    Category,
    Evaluation,
    ProgressUpdate,
    Project,
    ProjectPhoto,
)
from concerto.core.accounts.models import Role
from concerto.core.accounts.permissions import has_role
from concerto.core.accounts.verification import action_require
from concerto.core.audit.services import audit_record
from concerto.core.participation.models import Comment, Contribution
from concerto.core.participation.services import (
    contribution_record,
    contribution_remove,
    followers_of,
    notification_send,
)
from concerto.core.ratelimit import send_limited
from concerto.core.richtext import plain_text, sanitize_html
from concerto.core.spaces.categories import services as categories
from concerto.core.uploads import validate_image_upload

KIND = "budgets"
TITLE_MAX_LENGTH = Project._meta.get_field("title").max_length
# What a person may type (markup included); the sanitised text is never longer.
TEXT_MAX_LENGTH = 8000
ANSWER_MAX_LENGTH = 10_000
NOTES_MAX_LENGTH = 10_000
MAX_PHOTOS_PER_UPDATE = 3
# A cost or an amount above this is a typing mistake (a trillion euros), and keeps numbers within 64 bits.
MAX_EUROS = 10**12
EDITABLE_FIELDS = ("title", "text", "estimated_cost", "budget", "category", "image", "image_alt", "point")
# Who reviews projects; elected officials read the review without changing it.
REVIEW_ROLES = (Role.Kind.ADMIN, Role.Kind.AGENT, Role.Kind.EVALUATOR)
REVIEW_READ_ROLES = (*REVIEW_ROLES, Role.Kind.ELECTED)
# Who configures budgets, publishes the list put to the vote and posts the follow-up.
MANAGER_ROLES = (Role.Kind.ADMIN, Role.Kind.AGENT)
# What cannot change on a budget once someone has voted on it.
VOTING_FIELDS = ("amount", "scope", "ballot_kind", "max_choices", "min_share", "points", "max_points_per_project",
                 "rule")


class ProjectError(Exception):
    """An action refused for a reason the person must read (closed step, list already voted on...)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _check_component(component) -> None:
    if component.kind != KIND:
        raise ValueError("This is not a budgets component")


def _person(user):
    return user if user is not None and user.is_authenticated else None


# Permissions (the views check them; the rules are here so that the API and the pages agree) -----------

def may_review(user, organisation) -> bool:
    return has_role(user, organisation, REVIEW_ROLES)


def may_read_review(user, organisation) -> bool:
    return has_role(user, organisation, REVIEW_READ_ROLES)


def may_manage(user, organisation) -> bool:
    return has_role(user, organisation, MANAGER_ROLES)


# Budgets ------------------------------------------------------------------------------------------------

def _whole_euros(value, *, field: str, errors: dict, required: bool, maximum: int | None = None,
                 empty_message: str = "") -> int | None:
    if value in (None, ""):
        if required:
            errors[field] = [empty_message or _("Enter an amount in euros.")]
        return None
    try:
        number = int(str(value).strip().replace(" ", "").replace("\u202f", "").replace("\xa0", ""))
    except (TypeError, ValueError):
        errors[field] = [_("Enter a whole number of euros, without cents (for example 25000).")]
        return None
    if number <= 0:
        errors[field] = [_("The amount must be more than 0 €.")]
        return None
    if number > MAX_EUROS:
        errors[field] = [_("This amount is too large.")]
        return None
    if maximum is not None and number > maximum:
        errors[field] = [_("The cost is more than the budget (%(amount)s €): it must fit in it.")
                         % {"amount": f"{maximum:,}".replace(",", "\u202f")}]
        return None
    return number


def _small_int(value, *, field: str, errors: dict, minimum: int = 0, maximum: int = 32767) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        errors[field] = [_("Enter a whole number.")]
        return 0
    if not minimum <= number <= maximum:
        errors[field] = [_("Enter a number between %(min)s and %(max)s.") % {"min": minimum, "max": maximum}]
    return number


def _clean_budget(component, values: dict, exclude_pk=None) -> dict:
    errors: dict[str, list[str]] = {}
    organisation = component.space.organisation
    name = " ".join((values.get("name") or "").split())
    if not name:
        errors["name"] = [_("Give the budget a name.")]
    elif len(name) > Budget._meta.get_field("name").max_length:
        errors["name"] = [_("The name is too long: 150 characters at most.")]
    elif Budget.objects.filter(component=component, name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = [_("A budget of this component already has this name.")]
    amount = _whole_euros(values.get("amount"), field="amount", errors=errors, required=True)
    scope = values.get("scope")
    if scope is not None and scope.pk != organisation.pk and not (
            scope.is_commune and scope.pk in organisation.descendant_ids()):
        errors["scope"] = [_("Choose %(name)s or one of its communes.") % {"name": organisation.name}]
    kind = values.get("ballot_kind") or Budget.BallotKind.APPROVAL
    if kind not in Budget.BallotKind.values:
        errors["ballot_kind"] = [_("Choose a kind of ballot from the list.")]
    rule = values.get("rule") or Budget.Rule.GREEDY
    if rule not in Budget.Rule.values:
        errors["rule"] = [_("Choose a counting rule from the list.")]
    elif rule == Budget.Rule.MES and kind == Budget.BallotKind.CUMULATIVE:
        errors["rule"] = [_("The Method of Equal Shares counts approval and knapsack ballots, not cumulative "
                            "ones. Choose the greedy rule, or another kind of ballot.")]
    max_choices = _small_int(values.get("max_choices"), field="max_choices", errors=errors, maximum=1000)
    min_share = _small_int(values.get("min_share"), field="min_share", errors=errors, maximum=100)
    points = _small_int(values.get("points") or 10, field="points", errors=errors, minimum=1, maximum=1000)
    max_points = _small_int(values.get("max_points_per_project"), field="max_points_per_project", errors=errors,
                            maximum=1000)
    if "points" not in errors and "max_points_per_project" not in errors and max_points > points:
        errors["max_points_per_project"] = [_("A project cannot receive more points than a voter has "
                                              "(%(points)s).") % {"points": points}]
    description = (values.get("description") or "").strip()
    if errors:
        raise ValidationError(errors)
    return {"name": name, "amount": amount, "scope": scope, "ballot_kind": kind, "rule": rule,
            "max_choices": max_choices if kind == Budget.BallotKind.APPROVAL else 0,
            "min_share": min_share if kind == Budget.BallotKind.KNAPSACK else 0,
            "points": points, "max_points_per_project": max_points if kind == Budget.BallotKind.CUMULATIVE else 0,
            "description": description}


@transaction.atomic
def budget_create(*, actor, component, name: str, amount, scope=None, ballot_kind: str = "approval",
                  max_choices: int = 0, min_share: int = 0, points: int = 10, max_points_per_project: int = 0,
                  rule: str = "greedy", description: str = "", position: int | None = None) -> Budget:
    """A new envelope in COMPONENT. SCOPE (the voters' area) is the space's organisation or a commune below."""
    _check_component(component)
    values = _clean_budget(component, {
        "name": name, "amount": amount, "scope": scope, "ballot_kind": ballot_kind, "max_choices": max_choices,
        "min_share": min_share, "points": points, "max_points_per_project": max_points_per_project,
        "rule": rule, "description": description})
    if position is None:
        position = (Budget.objects.filter(component=component).aggregate(last=Max("position"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            budget = Budget.objects.create(component=component, position=position, **values)
    except IntegrityError:
        raise ValidationError({"name": [_("A budget of this component already has this name.")]}) from None
    audit_record(actor=actor, action="budgets.budget_created", target=budget,
                 organisation=component.space.organisation, data={"amount": budget.amount, "rule": budget.rule})
    return budget


def budget_change_blocker(budget: Budget) -> str:
    """Why the voting parameters of BUDGET can no longer change ("" while they can)."""
    if budget.ballots.exists():
        return _("People have already voted for this budget: its amount, voters' area, ballot and counting rule "
                 "can no longer change, so that every ballot is counted under the rules it was cast with.")
    return ""


@transaction.atomic
def budget_update(*, actor, budget: Budget, **changes) -> Budget:
    """Change BUDGET. Its voting parameters (VOTING_FIELDS) are frozen once a ballot exists."""
    allowed = {"name", "description", "position", *VOTING_FIELDS}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"budget_update() cannot change {', '.join(sorted(unknown))}")
    locked = Budget.objects.select_for_update().select_related("component__space__organisation").get(pk=budget.pk)
    current = {name: getattr(locked, name) for name in ("name", "description", *VOTING_FIELDS)}
    wanted = {**current, **{k: v for k, v in changes.items() if k != "position"}}
    values = _clean_budget(locked.component, wanted, exclude_pk=locked.pk)
    changed_voting = [name for name in VOTING_FIELDS if values[name] != current[name]]
    if changed_voting:
        blocker = budget_change_blocker(locked)
        if blocker:
            raise ProjectError(blocker)
    for name, value in values.items():
        setattr(locked, name, value)
    if changes.get("position") is not None:
        locked.position = int(changes["position"])
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise ValidationError({"name": [_("A budget of this component already has this name.")]}) from None
    changed = [name for name in current if current[name] != values[name]]
    audit_record(actor=actor, action="budgets.budget_updated", target=locked, organisation=locked.organisation,
                 data={"fields": changed})
    return locked


# Categories -------------------------------------------------------------------------------------------

# Added, changed and deleted by the kernel's services, the same for every component with categories.

def category_create(*, actor, component, name: str, position: int | None = None) -> Category:
    return categories.category_create(Category, actor=actor, component=component, name=name, position=position)


category_update = categories.category_update
category_delete = categories.category_delete


# Submission -------------------------------------------------------------------------------------------

def _check_point(component, point, errors: dict):
    """(point, commune) for POINT = (latitude, longitude), checked to lie within the space's organisation."""
    from concerto.core.maps import METROPOLE_BOUNDS
    from concerto.core.territory import lookup

    if point is None:
        return None, None
    try:
        latitude, longitude = float(point[0]), float(point[1])
    except (TypeError, ValueError, IndexError):
        errors["location"] = [_("This location is not valid.")]
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        errors["location"] = [_("This location is not valid.")]
        return None, None
    organisation = component.space.organisation
    commune = lookup.commune_at(longitude, latitude)
    if lookup.is_available():
        if commune is None or commune.pk not in organisation.descendant_ids():
            errors["location"] = [_("This place is outside %(name)s: choose a place in it.")
                                  % {"name": organisation.name}]
            return None, None
    else:
        (south, west), (north, east) = METROPOLE_BOUNDS
        if not (south <= latitude <= north and west <= longitude <= east):
            errors["location"] = [_("This place is outside the Métropole du Grand Paris. "
                                    "Choose a place in one of its communes.")]
            return None, None
    return (latitude, longitude), commune


def _clean_content(component, *, title, text, estimated_cost, budget, category, point) -> dict:
    """The checked, sanitised content of a project, or a ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = [_("Give your project a title.")]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [_("The title is too long: %(max)s characters at most.") % {"max": TITLE_MAX_LENGTH}]
    raw = (text or "").strip()
    clean = sanitize_html(raw)
    if not plain_text(clean):
        errors["text"] = [_("Describe your project.")]
    elif len(raw) > TEXT_MAX_LENGTH:
        errors["text"] = [_("The description is too long (%(length)s characters): %(max)s characters at most.")
                          % {"length": len(raw), "max": TEXT_MAX_LENGTH}]
    budgets = list(Budget.objects.filter(component=component))
    if budget is None and len(budgets) == 1:
        budget = budgets[0]
    if budget is not None and budget.component_id != component.pk:
        errors["budget"] = [_("Choose one of the budgets of the list.")]
        budget = None
    elif budget is None and len(budgets) > 1:
        errors["budget"] = [_("Choose the budget your project is for.")]
    cost = _whole_euros(estimated_cost, field="estimated_cost", errors=errors, required=True,
                        maximum=budget.amount if budget is not None else None,
                        empty_message=_("Give an estimate of the cost, in euros."))
    if category is not None and category.component_id != component.pk:
        errors["category"] = [_("Choose one of the categories of the list.")]
    point, commune = _check_point(component, point, errors)
    if errors:
        raise ValidationError(errors)
    return {"title": title, "text": clean, "estimated_cost": cost, "budget": budget, "category": category,
            "point": point, "commune": commune}


def _check_image(image, image_alt: str) -> str:
    image_alt = " ".join((image_alt or "").split())
    if isinstance(image, UploadedFile):
        try:
            validate_image_upload(image)
        except ValidationError as error:
            raise ValidationError({"image": error.messages}) from None
    if image and not image_alt:
        raise ValidationError({"image_alt": [_("Describe the image for people who cannot see it.")]})
    if len(image_alt) > Project._meta.get_field("image_alt").max_length:
        raise ValidationError({"image_alt": [_("The description is too long: 200 characters at most.")]})
    return image_alt


def _apply_point(project: Project, point, commune) -> None:
    if point is None:
        project.latitude = project.longitude = None
        project.commune = None
    else:
        project.latitude, project.longitude = point
        project.commune = commune


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
                   point=None, image=None, image_alt: str = "", channel: str = "web") -> Project:
    """AUTHOR submits a project in COMPONENT while the current step takes submissions.

    POINT is None or (latitude, longitude) within the space's organisation; the commune there is kept.
    BUDGET is required when the component has several; its amount caps ESTIMATED_COST (whole euros).
    Raises VerificationRequired when the component reserves submitting to verified residents and AUTHOR is
    not one of the space's organisation."""
    _check_component(component)
    refusal = submission_refusal(component)
    if refusal:
        raise ProjectError(refusal)
    action_require(user=author, component=component, action="submit")
    values = _clean_content(component, title=title, text=text, estimated_cost=estimated_cost, budget=budget,
                            category=category, point=point)
    image_alt = _check_image(image, image_alt)
    project = Project(
        component=component, author=_person(author), title=values["title"], text=values["text"],
        estimated_cost=values["estimated_cost"], budget=values["budget"], category=values["category"],
        image=image or "", image_alt=image_alt if image else "",
    )
    _apply_point(project, values["point"], values["commune"])
    project.save()
    contribution_record(kind="budgets.project", target=project, component=component, author=author,
                        channel=channel)
    audit_record(actor=author, action="budgets.project_created", target=project,
                 organisation=component.space.organisation)
    return project


def _locked(project: Project) -> Project:
    fresh = Project.objects.select_for_update().get(pk=project.pk)
    fresh.component = project.component
    return fresh


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
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"project_update() cannot change {', '.join(sorted(unknown))}")
    locked = _locked(project)
    if actor is None or locked.author_id is None or locked.author_id != actor.pk:
        raise ProjectError(_("Only the author of a project can change it."))
    blocker = edit_blocker(locked)
    if blocker:
        raise ProjectError(blocker)
    values = _clean_content(
        project.component, title=changes.get("title", locked.title), text=changes.get("text", locked.text),
        estimated_cost=changes.get("estimated_cost", locked.estimated_cost),
        budget=changes.get("budget", locked.budget), category=changes.get("category", locked.category),
        point=changes.get("point", (locked.latitude, locked.longitude) if locked.has_location else None),
    )
    image = changes.get("image")
    keeps_image = bool(image) or (image is None and bool(locked.image))
    image_alt = _check_image(image if image else (locked.image if keeps_image else None),
                             changes.get("image_alt", locked.image_alt))
    old_image = locked.image.name if locked.image else ""
    for name in ("title", "text", "estimated_cost", "budget", "category"):
        setattr(locked, name, values[name])
    _apply_point(locked, values["point"], values["commune"])
    if image is False:
        locked.image = ""
    elif image:
        locked.image = image
    locked.image_alt = image_alt if locked.image else ""
    locked.save()
    audit_record(actor=actor, action="budgets.project_updated", target=locked, organisation=locked.organisation,
                 data={"fields": sorted(changes)})
    new_image = locked.image.name if locked.image else ""
    if old_image and old_image != new_image:
        storage = Project._meta.get_field("image").storage
        transaction.on_commit(lambda: storage.delete(old_image))
    return locked


@transaction.atomic
def project_withdraw(*, actor, project: Project) -> Project:
    """The author withdraws PROJECT: it leaves the public list and the vote; its page stays for them."""
    locked = _locked(project)
    if actor is None or locked.author_id is None or locked.author_id != actor.pk:
        raise ProjectError(_("Only the author of a project can withdraw it."))
    if locked.withdrawn_at is not None:
        return locked
    if locked.on_ballot and locked.budget_id and Budget.objects.filter(
            pk=locked.budget_id, ballot_published_at__isnull=False).exists():
        raise ProjectError(_("This project is on the published list of projects put to the vote: it can no "
                             "longer be withdrawn. Contact the collectivité."))
    locked.withdrawn_at = timezone.now()
    locked.on_ballot, locked.ballot_number = False, None
    locked.save(update_fields=["withdrawn_at", "on_ballot", "ballot_number", "updated_at"])
    contribution_remove(target=locked)
    audit_record(actor=actor, action="budgets.project_withdrawn", target=locked, organisation=locked.organisation)
    project.withdrawn_at = locked.withdrawn_at
    return locked


# Review -------------------------------------------------------------------------------------------------

def _ballot_frozen(project: Project) -> bool:
    """Whether PROJECT is on a list put to the vote that is already published."""
    return bool(project.on_ballot and project.budget_id and Budget.objects.filter(
        pk=project.budget_id, ballot_published_at__isnull=False).exists())


def _notify(*, actor, recipients, verb: str, title: str, body: str, url: str) -> None:
    actor = _person(actor)
    people = [user for user in recipients if user is not None and (actor is None or user.pk != actor.pk)]
    notification_send(recipients=people, verb=verb, title=title, body=body, url=url)


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
    cost = _whole_euros(cost_estimate, field="cost_estimate", errors=errors, required=False)
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
    locked = _locked(project)
    if locked.withdrawn_at is not None:
        raise ProjectError(_("Its author withdrew this project: it is no longer reviewed."))
    cost_changes = cost is not None and cost != locked.final_cost
    if _ballot_frozen(locked) and (eligibility != locked.eligibility or cost_changes):
        raise ProjectError(_("This project is on the published list of projects put to the vote: unpublish the "
                             "list before changing its eligibility or its cost."))
    evaluation = Evaluation.objects.create(
        project=locked, evaluator=_person(actor), eligibility=eligibility, feasibility=feasibility,
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
        _notify(actor=actor, recipients=recipients, verb="budgets.project_answered", title=title, body=body,
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
    locked = _locked(project)
    target = _locked(into)
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
    _notify(actor=actor, recipients=recipients, verb="budgets.project_merged", title=title, body=body,
            url=target.get_absolute_url())
    project.merged_into = target
    project.on_ballot, project.ballot_number = False, None
    return locked


# The list of projects put to the vote ------------------------------------------------------------------

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
            _notify(actor=actor, recipients=[project.author], verb="budgets.project_on_ballot", title=title,
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


# Follow-up of winning projects -------------------------------------------------------------------------

@transaction.atomic
def progress_update_create(*, actor, project: Project, implementation: str, progress: int, text: str = "",
                           photos=(), works_start=None, works_end=None) -> ProgressUpdate:
    """News of a winning PROJECT on its way: status, progress (%), text, up to 3 photos (file, alt) and
    the works' dates. Its followers and its author are notified after commit."""
    errors: dict[str, list[str]] = {}
    if implementation not in Project.Implementation.values or not implementation:
        errors["implementation"] = [_("Choose a status from the list.")]
    try:
        progress = int(progress)
    except (TypeError, ValueError):
        progress = -1
    if not 0 <= progress <= 100:
        errors["progress"] = [_("The progress is a percentage between 0 and 100.")]
    raw = (text or "").strip()
    clean = sanitize_html(raw)
    if len(raw) > TEXT_MAX_LENGTH:
        errors["text"] = [_("The text is too long: %(max)s characters at most.") % {"max": TEXT_MAX_LENGTH}]
    photos = [(file, " ".join((alt or "").split())) for file, alt in photos if file]
    if len(photos) > MAX_PHOTOS_PER_UPDATE:
        errors["photos"] = [_("Three photos at most per update.")]
    for number, (file, alt) in enumerate(photos, start=1):
        try:
            validate_image_upload(file)
        except ValidationError as error:
            errors[f"photo_{number}"] = error.messages
            continue
        if not alt:
            errors[f"photo_{number}_alt"] = [_("Describe the photo for people who cannot see it.")]
        elif len(alt) > ProjectPhoto._meta.get_field("alt").max_length:
            errors[f"photo_{number}_alt"] = [_("The description is too long: 200 characters at most.")]
    if works_start and works_end and works_end < works_start:
        errors["works_end"] = [_("The end of the works cannot come before their start.")]
    if errors:
        raise ValidationError(errors)
    locked = _locked(project)
    if not locked.selected:
        raise ProjectError(_("Only winning projects have a follow-up."))
    update = ProgressUpdate.objects.create(project=locked, author=_person(actor), implementation=implementation,
                                           progress=progress, text=clean)
    for position, (file, alt) in enumerate(photos):
        ProjectPhoto.objects.create(project=locked, update=update, image=file, alt=alt, position=position)
    locked.implementation, locked.progress = implementation, progress
    if works_start:
        locked.works_start = works_start
    if works_end:
        locked.works_end = works_end
    locked.save(update_fields=["implementation", "progress", "works_start", "works_end", "updated_at"])
    audit_record(actor=actor, action="budgets.progress_updated", target=locked, organisation=locked.organisation,
                 data={"implementation": implementation, "progress": progress})
    if locked.is_public:
        with translation.override(settings.LANGUAGE_CODE):
            title = _("News of the project “%(title)s”: %(status)s, %(progress)s %%") % {
                "title": locked.title, "status": str(Project.Implementation(implementation).label).lower(),
                "progress": progress}
            body = plain_text(clean)
        _notify(actor=actor, recipients=[locked.author, *followers_of(locked)], verb="budgets.project_progress",
                title=title, body=body, url=locked.get_absolute_url())
    return update


# Comment counter (comments are written by the shared participation services) ---------------------------

def comment_count_refresh(*, project_id: int, created: bool = False) -> None:
    """Keep Project.comment_count equal to the number of visible comments on it."""
    if created:
        Project.objects.filter(pk=project_id).update(comment_count=F("comment_count") + 1)
        return
    content_type = ContentType.objects.get_for_model(Project)
    count = Comment.objects.visible().filter(target_type=content_type, target_id=project_id).count()
    Project.objects.filter(pk=project_id).update(comment_count=count)


# Open data, summary, personal data ---------------------------------------------------------------------

EXPORT_FIELDS = ("id", "title", "text", "budget", "category", "commune", "commune_insee", "latitude", "longitude",
                 "estimated_cost", "final_cost", "eligibility", "eligibility_reason", "feasibility",
                 "public_answer", "merged_into", "on_ballot", "ballot_number", "selected", "implementation",
                 "progress", "works_start", "works_end", "comments", "created_at", "url")


def export_rows(component):
    """Open data: one dict per public project of COMPONENT, oldest first. Nothing about the people (no
    author, no evaluator, no internal notes)."""
    projects = (Project.objects.public().filter(component=component)
                .select_related("budget", "category", "commune", "component__space__organisation")
                .order_by("created_at", "pk"))
    for project in projects.iterator(chunk_size=500):
        yield {
            "id": project.pk, "title": project.title, "text": plain_text(project.text),
            "budget": project.budget.name if project.budget else "",
            "category": project.category.name if project.category else "",
            "commune": project.commune.name if project.commune else "",
            "commune_insee": project.commune.insee_code if project.commune else "",
            "latitude": project.latitude, "longitude": project.longitude,
            "estimated_cost": project.estimated_cost, "final_cost": project.final_cost,
            "eligibility": project.eligibility, "eligibility_reason": plain_text(project.eligibility_reason),
            "feasibility": project.feasibility, "public_answer": plain_text(project.public_answer),
            "merged_into": project.merged_into_id, "on_ballot": project.on_ballot,
            "ballot_number": project.ballot_number, "selected": project.selected,
            "implementation": project.implementation, "progress": project.progress,
            "works_start": project.works_start.isoformat() if project.works_start else "",
            "works_end": project.works_end.isoformat() if project.works_end else "",
            "comments": project.comment_count, "created_at": project.created_at.isoformat(),
            "url": project.get_absolute_url(),
        }


def export_projects(component) -> list[dict]:
    return list(export_rows(component))


def summary(component, request) -> str:
    """One sentence for the space's page: how many projects, and what residents can do now."""
    count = Project.objects.public().filter(component=component).count()
    if count:
        text = ngettext("%(count)s project.", "%(count)s projects.", count) % {"count": count}
    else:
        text = _("No project yet.")
    window = component.window("submissions_open")
    if window.open:
        when = (pgettext("budget project", "Submit yours until %(date)s.")
                % {"date": date_format(window.closes_on, "j F Y")}
                if window.closes_on else pgettext("budget project", "Submit yours."))
    else:
        voting = component.window("voting_open")
        if voting.open:
            when = _("The vote is open.")
        else:
            when = window.message
    return format_html("{} {}", text, when)


def personal_data(user) -> dict:
    return {
        "budget_projects": [
            {"title": project.title, "text": plain_text(project.text), "estimated_cost": project.estimated_cost,
             "created_at": project.created_at.isoformat(),
             "withdrawn_at": project.withdrawn_at.isoformat() if project.withdrawn_at else None,
             "latitude": project.latitude, "longitude": project.longitude,
             "space": project.component.space.title}
            for project in Project.objects.filter(author=user).select_related("component__space")
        ],
    }


def erase_personal_data(user) -> None:
    """Projects stay (others discussed them, some were voted on or built), without their author; the
    evaluations and follow-up news written by USER stay without them too."""
    with transaction.atomic():
        Project.objects.filter(author=user).update(author=None)
        Evaluation.objects.filter(evaluator=user).update(evaluator=None)
        ProgressUpdate.objects.filter(author=user).update(author=None)
        Contribution.objects.filter(author=user, kind__startswith="budgets.project").update(author=None)


# Figures the pages use ------------------------------------------------------------------------------------

def budget_figures(component) -> list[Budget]:
    """The component's budgets with the number of public projects in each (`project_count`)."""
    return list(Budget.objects.filter(component=component).annotate(
        project_count=Count("projects", filter=Q(projects__hidden_at__isnull=True,
                                                 projects__withdrawn_at__isnull=True))))
