"""Agreeing or disagreeing with a comment: who may, the toggle, and what the page shows."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import CommentVote
from concerto.core.participation.services import comment_create, comment_vote, moderation_hide

pytestmark = pytest.mark.django_db


def _vote_url(comment):
    return f"/participation/voter-commentaire/{comment.pk}/"


@pytest.fixture
def comment(neighbour, post):
    return comment_create(author=neighbour, target=post, body="Il faudrait plus de bancs.")


def _votes(comment):
    return dict(CommentVote.objects.filter(comment=comment).values_list("user__email", "value"))


def test_the_same_vote_again_takes_it_back_and_the_other_one_switches_it(resident, comment):
    assert comment_vote(user=resident, comment=comment, value=1) == 1
    assert _votes(comment) == {"resident@example.org": 1}
    assert comment_vote(user=resident, comment=comment, value=-1) == -1
    assert _votes(comment) == {"resident@example.org": -1}
    assert comment_vote(user=resident, comment=comment, value=-1) is None
    assert _votes(comment) == {}
    actions = list(AuditEntry.objects.filter(actor=resident, action__startswith="comment.vot")
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["comment.voted", "comment.vote_changed", "comment.vote_removed"]


def test_a_vote_is_one_or_minus_one(resident, comment):
    for value in (0, 2, "1", None, True, 1.5):
        with pytest.raises(ValidationError):
            comment_vote(user=resident, comment=comment, value=value)
    assert not CommentVote.objects.exists()


def test_nobody_votes_on_their_own_comment(client, neighbour, comment):
    with pytest.raises(PermissionDenied, match="votre propre commentaire"):
        comment_vote(user=neighbour, comment=comment, value=1)
    client.force_login(neighbour)
    html = client.get(comment.target.get_absolute_url()).content.decode()
    assert f'id="vote-up-{comment.pk}"' not in html
    response = client.post(_vote_url(comment), {"value": "1"})
    assert response.status_code == 403
    assert "Vous ne pouvez pas voter sur votre propre commentaire." in response.content.decode()
    assert not CommentVote.objects.exists()


def test_votes_close_with_the_comments(client, resident, news, step, comment):
    news.step_settings = {str(step.pk): {"comments_open": False}}
    news.save()
    with pytest.raises(PermissionDenied):
        comment_vote(user=resident, comment=comment, value=1)
    client.force_login(resident)
    html = client.get(comment.target.get_absolute_url()).content.decode()
    assert "Il faudrait plus de bancs." in html and f'id="vote-up-{comment.pk}"' not in html
    response = client.post(_vote_url(comment), {"value": "1"})
    assert response.status_code == 403
    assert "Les commentaires sont fermés ici\u00a0: les votes sur les commentaires aussi." in response.content.decode()
    assert not CommentVote.objects.exists()


def test_hidden_comments_and_drafts_take_no_votes(client, resident, moderator, neighbour, news, agent, comment):
    from concerto.components.news.services import post_create

    moderation_hide(moderator=moderator, content=comment)
    with pytest.raises(PermissionDenied):
        comment_vote(user=resident, comment=comment, value=1)
    draft = post_create(author=agent, component=news, title="Brouillon", body="…")
    on_draft = comment_create(author=neighbour, target=draft, body="Sur un brouillon")
    client.force_login(resident)
    assert client.post(_vote_url(comment), {"value": "1"}).status_code == 404
    assert client.post(_vote_url(on_draft), {"value": "1"}).status_code == 404
    assert client.post("/participation/voter-commentaire/999999/", {"value": "1"}).status_code == 404
    assert not CommentVote.objects.exists()


def test_anonymous_visitors_see_counts_and_are_sent_to_sign_in(client, resident, agent, comment):
    comment_vote(user=resident, comment=comment, value=1)
    comment_vote(user=agent, comment=comment, value=-1)
    html = client.get(comment.target.get_absolute_url()).content.decode()
    assert "1 d’accord · 1 pas d’accord" in html and f'id="vote-up-{comment.pk}"' not in html
    response = client.post(_vote_url(comment), {"value": "1"})
    assert response.status_code == 302 and "/compte/" in response["Location"]
    assert CommentVote.objects.count() == 2
    assert client.get(_vote_url(comment)).status_code == 405


def test_an_outsider_may_vote_on_a_public_comment_but_not_on_another_communes_draft(
        client, outsider, neighbour, news, agent, comment):
    # Any signed-in person may take part in a public thread; what is not public stays invisible.
    from concerto.components.news.services import post_create

    draft = post_create(author=agent, component=news, title="Brouillon", body="…")
    on_draft = comment_create(author=neighbour, target=draft, body="Sur un brouillon")
    client.force_login(outsider)
    assert client.post(_vote_url(on_draft), {"value": "1"}).status_code == 404
    assert not CommentVote.objects.filter(comment=on_draft).exists()
    assert client.post(_vote_url(comment), {"value": "-1"}).status_code == 302
    assert _votes(comment) == {"agent@montreuil.example.org": -1}


def test_resident_votes_with_a_plain_form_and_sees_the_pressed_button(client, resident, agent, comment):
    comment_vote(user=agent, comment=comment, value=1)
    client.force_login(resident)
    url = comment.target.get_absolute_url()
    html = client.get(url).content.decode()
    assert f'<button type="submit" id="vote-up-{comment.pk}" name="value" value="1" ' \
           f'class="button button--secondary" aria-pressed="false">D’accord (1)</button>' in html
    assert 'aria-pressed="false">Pas d’accord (0)</button>' in html

    response = client.post(_vote_url(comment), {"value": "1", "next": f"{url}#commentaire-{comment.pk}"})
    assert response.status_code == 302 and response["Location"] == f"{url}#commentaire-{comment.pk}"
    html = client.get(url).content.decode()
    assert 'aria-pressed="true"><span aria-hidden="true">✓</span>D’accord (2)</button>' in html

    client.post(_vote_url(comment), {"value": "-1"})
    html = client.get(url).content.decode()
    assert 'aria-pressed="false">D’accord (1)</button>' in html
    assert 'aria-pressed="true"><span aria-hidden="true">✓</span>Pas d’accord (1)</button>' in html


def test_htmx_gets_the_vote_buttons_alone(client, resident, comment):
    client.force_login(resident)
    response = client.post(_vote_url(comment), {"value": "-1"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.strip().startswith(f'<div class="comment-votes" id="votes-{comment.pk}">')
    # Without HTMX later on, the buttons would still come back to the page, not to the vote address.
    assert f'name="next" value="{comment.target.get_absolute_url()}#commentaire-{comment.pk}"' in html
    assert 'aria-pressed="true"><span aria-hidden="true">✓</span>Pas d’accord (1)</button>' in html
    assert _votes(comment) == {"resident@example.org": -1}


def test_htmx_sends_a_signed_out_visitor_to_the_sign_in_page_as_a_whole(client, comment):
    response = client.post(_vote_url(comment), {"value": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Redirect"].startswith("/compte/login/?next=")
    assert not CommentVote.objects.exists()


def test_htmx_shows_a_refusal_next_to_the_buttons(client, neighbour, comment):
    client.force_login(neighbour)
    response = client.post(_vote_url(comment), {"value": "1"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert">Vous ne pouvez pas voter sur votre propre commentaire.</p>' in html
    assert "<button" not in html


def test_a_bad_vote_value_gets_a_french_400(client, resident, comment):
    client.force_login(resident)
    for data in ({}, {"value": "2"}, {"value": "abc"}, {"value": "1" * 500}):
        response = client.post(_vote_url(comment), data)
        assert response.status_code == 400, data
        html = response.content.decode()
        assert "Votre vote n’a pas été enregistré" in html
        assert "Choisissez «\u00a0d’accord\u00a0» ou «\u00a0pas d’accord\u00a0»." in html
    assert not CommentVote.objects.exists()


def test_a_foreign_next_address_is_ignored(client, resident, comment):
    client.force_login(resident)
    response = client.post(_vote_url(comment), {"value": "1", "next": "https://evil.example.com/"})
    assert response["Location"] == comment.get_absolute_url()


def test_replies_take_votes_too(client, resident, neighbour, agent, comment, post):
    reply = comment_create(author=agent, target=post, body="Nous en ajouterons deux.", parent=comment)
    client.force_login(resident)
    assert client.post(_vote_url(reply), {"value": "1"}).status_code == 302
    html = client.get(post.get_absolute_url()).content.decode()
    assert f'id="vote-up-{reply.pk}"' in html and f'id="vote-up-{comment.pk}"' in html
