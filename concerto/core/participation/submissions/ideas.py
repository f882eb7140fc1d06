"""Ideas that become items of another component of the same space (proposals that become budget projects).

The component that takes ideas asks the kernel for them; the component that offers them declares an
IdeaSource in its manifest. Neither imports the other; the link is an ItemLink of the kernel."""

from dataclasses import dataclass

from concerto.core.participation.models import ItemLink


@dataclass
class Idea:
    """One candidate idea: its component, the item, and how many people supported it."""

    component: object
    item: object

    @property
    def key(self) -> str:
        """How a form names it: "<component id>:<item id>"."""
        return f"{self.component.pk}:{self.item.pk}"

    @property
    def supporters(self) -> list[int]:
        return list(self.component.manifest.idea_source.supporters(self.item))


def idea_components(space):
    """The components of SPACE whose items may become something else."""
    components = []
    for component in space.components.select_related("space__organisation").order_by("position", "pk"):
        try:
            manifest = component.manifest
        except LookupError:
            continue
        if manifest.idea_source is not None:
            components.append(component)
    return components


def idea_candidates(space) -> list[Idea]:
    """The ideas of SPACE that have not become anything yet, the most supported first."""
    ideas = []
    for component in idea_components(space):
        items = list(component.manifest.idea_source.candidates(component))
        if not items:
            continue
        model = type(items[0])
        from django.contrib.contenttypes.models import ContentType

        done = set(ItemLink.objects.filter(source_type=ContentType.objects.get_for_model(model),
                                           source_id__in=[item.pk for item in items])
                   .values_list("source_id", flat=True))
        for item in items:
            if item.pk not in done:
                item.component = component
                ideas.append(Idea(component=component, item=item))
    ideas.sort(key=lambda idea: (-getattr(idea.item, "support_count", 0), idea.item.title))
    return ideas


def ideas_from_keys(space, keys) -> tuple[list[Idea], list[str]]:
    """The candidate ideas of SPACE named by KEYS ("<component id>:<item id>"), and the keys that name none
    (another space's idea, one already converted, a typo)."""
    by_key = {idea.key: idea for idea in idea_candidates(space)}
    wanted = list(dict.fromkeys(str(key) for key in keys))
    return [by_key[key] for key in wanted if key in by_key], [key for key in wanted if key not in by_key]
