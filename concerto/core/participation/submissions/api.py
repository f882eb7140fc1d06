"""The API schemas of submissions: the resolvers of the fields that every submission's schema has.

A component's schema subclasses SubmissionOut and declares its fields itself, in its own order (the
resolvers apply only to the fields a schema declares), so its OpenAPI document is its own.
"""

from concerto.core.spaces.api import ComponentItemOut


class SubmissionOut(ComponentItemOut):
    """Resolvers for `category` (its name), `category_id`, `commune` (its slug), `image` (absolute URL),
    `comments` (the count), plus those of ComponentItemOut."""

    @staticmethod
    def resolve_category(obj) -> str | None:
        return obj.category.name if obj.category else None

    @staticmethod
    def resolve_commune(obj) -> str | None:
        return obj.commune.slug if obj.commune else None

    @staticmethod
    def resolve_comments(obj) -> int:
        return obj.comment_count
