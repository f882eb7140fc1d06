"""The API schema base of what a component holds (a news post, an event, a proposal, a project...)."""

from ninja import Schema


class ComponentItemOut(Schema):
    """Resolvers for the fields that place an item: `organisation` (the slug of the space's organisation),
    `space` and `component` (ids), `url` (absolute URL of its page) and `image` (absolute URL, or None).

    A schema subclasses it and declares the fields it has, in its own order; a resolver of a field that the
    schema does not declare is never called."""

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.component.space.organisation.slug

    @staticmethod
    def resolve_space(obj) -> int:
        return obj.component.space_id

    @staticmethod
    def resolve_component(obj) -> int:
        return obj.component_id

    @staticmethod
    def resolve_url(obj, context) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())

    @staticmethod
    def resolve_image(obj, context) -> str | None:
        return context["request"].build_absolute_uri(obj.image.url) if obj.image else None
