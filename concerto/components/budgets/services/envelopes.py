"""Budgets (envelopes) of a budgets component: creating and changing them, and their figures."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from concerto.components.budgets.models import Budget
from concerto.components.budgets.services.common import ProjectError, check_component, whole_euros
from concerto.core.audit.services import audit_record

# What cannot change on a budget once someone has voted on it.
VOTING_FIELDS = ("amount", "scope", "ballot_kind", "max_choices", "min_share", "points", "max_points_per_project",
                 "rule")


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
    amount = whole_euros(values.get("amount"), field="amount", errors=errors, required=True)
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
    check_component(component)
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



def budget_figures(component) -> list[Budget]:
    """The component's budgets with the number of public projects in each (`project_count`)."""
    return list(Budget.objects.filter(component=component).annotate(
        project_count=Count("projects", filter=Q(projects__hidden_at__isnull=True,
                                                 projects__withdrawn_at__isnull=True))))
