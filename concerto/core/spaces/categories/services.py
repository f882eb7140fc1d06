"""Write actions on a component's categories: add, change, delete. Each one writes an audit entry named after
the component's kind ("budgets.category_updated"...).

The components' services call these with their concrete model (see models.ComponentCategory).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from concerto.core.audit.services import audit_record


def _clean_name(model, component, name: str, exclude_pk=None) -> str:
    # Runs of spaces count as one: "Sport  et loisirs" is the name "Sport et loisirs" already taken.
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": [_("Give the category a name.")]})
    if len(name) > model._meta.get_field("name").max_length:
        raise ValidationError({"name": [_("The name is too long: 100 characters at most.")]})
    if model.objects.filter(component=component, name__iexact=name).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": [_("A category already has this name.")]})
    return name


@transaction.atomic
def category_create(model, *, actor, component, name: str, position: int | None = None):
    """Add a category of MODEL (a ComponentCategory) to COMPONENT, last when POSITION is None."""
    if component.kind != model.component_kind:
        raise ValueError(f"This is not a {model.component_kind} component")
    name = _clean_name(model, component, name)
    if position is None:
        position = (model.objects.filter(component=component).aggregate(last=Max("position"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            category = model.objects.create(component=component, name=name, position=position)
    except IntegrityError:  # the same name sent twice at once
        raise ValidationError({"name": [_("A category already has this name.")]}) from None
    audit_record(actor=actor, action=f"{model.component_kind}.category_created", target=category,
                 organisation=component.space.organisation)
    return category


@transaction.atomic
def category_update(*, actor, category, name: str, position: int):
    category.name = _clean_name(type(category), category.component, name, exclude_pk=category.pk)
    category.position = position
    try:
        with transaction.atomic():
            category.save(update_fields=["name", "position"])
    except IntegrityError:
        raise ValidationError({"name": [_("A category already has this name.")]}) from None
    audit_record(actor=actor, action=f"{category.component_kind}.category_updated", target=category,
                 organisation=category.organisation)
    return category


@transaction.atomic
def category_delete(*, actor, category) -> None:
    """Delete CATEGORY; the items filed under it stay, without a category (their foreign key is SET_NULL)."""
    audit_record(actor=actor, action=f"{category.component_kind}.category_deleted", target=category,
                 organisation=category.organisation, data={"name": category.name})
    category.delete()
