"""Categories in the API: the schema and the list of public categories that each component's router serves
at its own /categories endpoint."""

from ninja import Schema


class CategoryOut(Schema):
    id: int
    name: str
    position: int
    component: int

    @staticmethod
    def resolve_component(obj) -> int:
        return obj.component_id


def public_categories(model, component_id: int | None = None):
    """The categories of MODEL in published components of published spaces, optionally of one component."""
    categories = model.objects.filter(component__published=True, component__space__status="published",
                                      component__kind=model.component_kind)
    if component_id:
        categories = categories.filter(component_id=component_id)
    return categories.order_by("component_id", "position", "name", "pk")
