"""The comment thread costs the same number of queries for 5 comments or for 50."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from concerto.core.participation.models import Comment, CommentVote
from concerto.core.participation.services import comment_create, moderation_hide
from concerto.testing import UserFactory

pytestmark = pytest.mark.django_db


def _thread(post, moderator, size: int):
    """SIZE top-level comments by different people, each with a reply and two votes; one of them hidden."""
    people = UserFactory.create_batch(3)
    for number in range(size):
        top = comment_create(author=people[number % 3], target=post, body=f"Commentaire {number}")
        reply = comment_create(author=people[(number + 1) % 3], target=post, body=f"Réponse {number}", parent=top)
        CommentVote.objects.bulk_create([CommentVote(comment=top, user=people[(number + 1) % 3], value=1),
                                         CommentVote(comment=reply, user=people[(number + 2) % 3], value=-1)])
    moderation_hide(moderator=moderator, content=Comment.objects.on(post).filter(parent=None).first())


def _render_queries(post, user) -> tuple[int, str]:
    request = RequestFactory().get(post.get_absolute_url())
    request.user = user
    template = Template('{% include "participation/_comments.html" with target=post %}')
    with CaptureQueriesContext(connection) as queries:
        html = template.render(Context({"post": post, "request": request, "user": user}))
    return len(queries), html


@pytest.mark.parametrize("who", ["anonymous", "resident"])
def test_the_thread_tag_runs_a_constant_number_of_queries(who, resident, moderator, post, other_post):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if who == "anonymous" else resident
    _thread(post, moderator, 5)
    _thread(other_post, moderator, 50)
    small, small_html = _render_queries(post, user)
    large, large_html = _render_queries(other_post, user)
    assert small == large, (small, large)
    assert small <= 5  # today: the comments with votes and authors, and the step settings twice
    assert "10 commentaires" in small_html and "100 commentaires" in large_html
    assert large_html.count("Ce commentaire a été masqué par la modération.") == 1
    assert large_html.count('class="compact-list comments__replies"') == 50
    if who == "resident":
        assert large_html.count('<details class="disclosure comments__reply">') == 49  # not under the hidden one


def test_the_post_page_runs_a_constant_number_of_queries(client, resident, moderator, post, other_post):
    _thread(post, moderator, 5)
    _thread(other_post, moderator, 50)
    client.force_login(resident)
    client.get(post.get_absolute_url())  # warm the content-type and session caches alike
    with CaptureQueriesContext(connection) as small:
        assert client.get(post.get_absolute_url()).status_code == 200
    with CaptureQueriesContext(connection) as large:
        assert client.get(other_post.get_absolute_url()).status_code == 200
    assert len(small) == len(large), [q["sql"] for q in large.captured_queries]
