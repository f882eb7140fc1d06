"""Topics of what components hold: a news post has its own (news.Post.topics); any other item, or a post
without any, has the topics of its space. Issue 15's follows and feeds read topics through here too."""

from concerto.core.spaces.models import Topic


def topics_of(item):
    """The topics of ITEM (a component's row with a `component` foreign key, or a space), as a queryset."""
    return Topic.objects.of_item(item)
