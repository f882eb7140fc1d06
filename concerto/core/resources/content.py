"""What a template keeps of each component, asked through the manifests' hooks (`template_export`,
`template_import`); the kernel's default, for a component with no hook, keeps its categories (the kernel's
ComponentCategory models of that kind) and nothing else."""

from django.apps import apps

from concerto.core.spaces.categories.models import ComponentCategory
from concerto.core.spaces.categories.services import category_create


def _category_models(kind: str) -> list:
    return [model for model in apps.get_models()
            if issubclass(model, ComponentCategory) and model.component_kind == kind]


def default_export(component) -> dict:
    """The names of COMPONENT's categories, in order (nothing of what people filed under them)."""
    names = []
    for model in _category_models(component.kind):
        names += list(model.objects.filter(component=component).order_by("position", "name", "pk")
                      .values_list("name", flat=True))
    return {"categories": names} if names else {}


def default_import(*, actor, component, content: dict) -> None:
    models = _category_models(component.kind)
    for name in content.get("categories", []) if models else []:
        category_create(models[0], actor=actor, component=component, name=name)


def content_export(component) -> dict:
    hook = getattr(component.manifest, "template_export", None)
    return (hook or default_export)(component)


def content_import(*, actor, component, content: dict) -> None:
    hook = getattr(component.manifest, "template_import", None)
    (hook or default_import)(actor=actor, component=component, content=content or {})
