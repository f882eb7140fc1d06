"""The live board: posting, voting once and never for oneself, closed boards, anonymous participants, the
rate limit, moderation, and the projection page."""

import pytest
from django.core.exceptions import ValidationError

from concerto.components.events import room
from concerto.components.events.models import BoardPost
from concerto.components.events.tests.test_room import make_event, url

pytestmark = pytest.mark.django_db


def post_on(event, text="Quand commencent les travaux ?", key="session:a", **fields):
    return room.board_post_create(event=event, text=text, author_key=key, **fields)


def test_a_resident_posts_a_question_and_sees_it_on_the_board(client, resident):
    event = make_event(board_open=True)
    client.force_login(resident)

    response = client.post(url("events:board", event), {"kind": "question", "text": "Où sera le <b>banc</b> ?"},
                           follow=True)

    page = response.content.decode()
    assert "Votre message est sur le mur." in page
    assert "Où sera le &lt;b&gt;banc&lt;/b&gt; ?" in page  # plain text, never markup
    post = BoardPost.objects.get()
    assert post.author == resident and post.author_key == f"user:{resident.pk}"


def test_an_anonymous_participant_posts_when_the_setting_allows_it(client):
    event = make_event(board_open=True, anonymous_board=True)
    response = client.post(url("events:board", event), {"kind": "opinion", "text": "Plus d'arbres"})
    assert response.status_code == 302
    post = BoardPost.objects.get()
    assert post.author is None and post.author_key.startswith("session:")
    assert client.session.session_key not in post.author_key


def test_an_anonymous_participant_is_asked_to_sign_in_when_the_setting_is_off(client):
    event = make_event(board_open=True, anonymous_board=False)
    page = client.get(url("events:board", event)).content.decode()
    assert "Connectez-vous pour participer au mur en direct." in page
    response = client.post(url("events:board", event), {"kind": "opinion", "text": "Plus d'arbres"})
    assert response.status_code == 400
    assert not BoardPost.objects.exists()


def test_a_closed_board_refuses_posts_and_votes(client, resident):
    event = make_event(board_open=True)
    post = post_on(event)
    event.live_board_open = False
    event.save()
    client.force_login(resident)

    response = client.post(url("events:board", event), {"kind": "question", "text": "Encore une"})
    assert response.status_code == 400 and "Le mur en direct est fermé." in response.content.decode()
    voted = client.post(url("events:board_vote", event, post_id=post.pk), follow=True)
    assert "Le mur en direct est fermé." in voted.content.decode()
    post.refresh_from_db()
    assert post.vote_count == 0 and BoardPost.objects.count() == 1


def test_a_participant_votes_once_and_the_count_goes_up_by_one(client, resident):
    event = make_event(board_open=True)
    post = post_on(event)
    client.force_login(resident)

    first = client.post(url("events:board_vote", event, post_id=post.pk), follow=True)
    second = client.post(url("events:board_vote", event, post_id=post.pk), follow=True)

    assert "Votre vote est compté." in first.content.decode()
    assert "Vous avez déjà voté pour ce message." in second.content.decode()
    post.refresh_from_db()
    assert post.vote_count == 1


def test_nobody_votes_for_their_own_post(resident):
    event = make_event(board_open=True)
    post = post_on(event, user=resident, key=f"user:{resident.pk}")
    with pytest.raises(ValidationError, match="votre propre message|your own message"):
        room.board_vote_add(post=post, user=resident, voter_key=f"user:{resident.pk}")
    with pytest.raises(ValidationError):
        room.board_vote_add(post=post_on(event, key="session:x"), voter_key="session:x")


def test_an_htmx_vote_returns_the_list_with_the_new_count(client, resident):
    event = make_event(board_open=True)
    post = post_on(event)
    client.force_login(resident)
    response = client.post(url("events:board_vote", event, post_id=post.pk), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and 'id="board-posts"' in page and "1 vote" in page
    assert "<html" not in page


def test_posts_are_listed_by_votes(client):
    event = make_event(board_open=True)
    low = post_on(event, text="Peu de votes")
    high = post_on(event, text="Beaucoup de votes", key="session:b")
    for voter in ("v1", "v2"):
        room.board_vote_add(post=high, voter_key=f"session:{voter}")
    room.board_vote_add(post=low, voter_key="session:v3")
    page = client.get(url("events:board_posts", event)).content.decode()
    assert page.index("Beaucoup de votes") < page.index("Peu de votes")


def test_the_rate_limit_stops_the_sixth_post_in_a_minute(client):
    event = make_event(board_open=True)
    for number in range(5):
        response = client.post(url("events:board", event), {"kind": "question", "text": f"Question {number}"})
        assert response.status_code == 302
    sixth = client.post(url("events:board", event), {"kind": "question", "text": "Question 6"})
    assert sixth.status_code == 400
    assert "Vous avez envoyé 5 messages dans la dernière minute." in sixth.content.decode()
    assert BoardPost.objects.count() == 5


@pytest.mark.parametrize("data", [
    {}, {"kind": "poem", "text": "x"}, {"kind": "question", "text": "x" * 281}, {"kind": "question", "text": "   "},
    {"kind": "question", "text": "\x00"},
])
def test_bad_posts_get_a_clear_error_never_a_500(client, data):
    event = make_event(board_open=True)
    response = client.post(url("events:board", event), data)
    assert response.status_code == 400
    assert "Il y a un problème" in response.content.decode()
    assert not BoardPost.objects.exists()


def test_voting_for_a_missing_post_is_a_404(client):
    event = make_event(board_open=True)
    assert client.post(url("events:board_vote", event, post_id=999999)).status_code == 404
    assert client.get(url("events:board_vote", event, post_id=1)).status_code == 405


def test_hidden_posts_disappear_from_the_board_and_the_projection(staff_client, agent, client):
    event = make_event(board_open=True)
    post = post_on(event, text="Un message injurieux")
    post_on(event, text="Une vraie question", key="session:b")

    staff_client(agent).post(url("events_backoffice:board", event), {"action": "hide", "post": post.pk})

    from django.test import Client

    public = Client()
    for name in ("events:board", "events:board_posts", "events:projection"):
        page = public.get(url(name, event)).content.decode()
        assert "Un message injurieux" not in page and "Une vraie question" in page
    with pytest.raises(ValidationError):
        room.board_vote_add(post=BoardPost.objects.get(pk=post.pk), voter_key="session:z")
    moderation = staff_client(agent).get(url("events_backoffice:board", event)).content.decode()
    assert "Un message injurieux" in moderation and "Masqué" in moderation


def test_the_organiser_opens_the_board_and_marks_a_question_answered(staff_client, agent):
    event = make_event(board_open=False)
    client = staff_client(agent)
    client.post(url("events_backoffice:board", event), {"action": "open"})
    event.refresh_from_db()
    assert event.live_board_open
    post = post_on(event)
    client.post(url("events_backoffice:board", event), {"action": "answered", "post": post.pk})
    post.refresh_from_db()
    assert post.answered_at is not None
    projection = client.get(url("events:projection", event)).content.decode()
    assert "projection-post--answered" in projection and "Répondu" in projection


def test_the_projection_page_shows_a_qr_code_of_the_board(client):
    event = make_event(board_open=True)
    post_on(event, text="Première question")
    response = client.get(url("events:projection", event))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page and "Première question" in page
    assert "http://testserver" + url("events:board", event) in page
    fragment = client.get(url("events:projection", event), HTTP_HX_REQUEST="true").content.decode()
    assert "Première question" in fragment and "<svg" not in fragment


def test_a_moderator_may_moderate_the_board(staff_client, moderator):
    event = make_event(board_open=True)
    post = post_on(event)
    staff_client(moderator).post(url("events_backoffice:board", event), {"action": "hide", "post": post.pk})
    post.refresh_from_db()
    assert post.is_hidden


@pytest.mark.parametrize("data", [{}, {"action": "explode"}, {"action": "hide", "post": "abc"},
                                  {"action": "hide", "post": "999999"}])
def test_junk_moderation_input_never_fails_with_a_500(staff_client, agent, data):
    event = make_event(board_open=True)
    assert staff_client(agent).post(url("events_backoffice:board", event), data).status_code == 302


def test_the_outsider_cannot_moderate_another_communes_board(staff_client, outsider):
    event = make_event(board_open=True)
    post = post_on(event)
    client = staff_client(outsider)
    assert client.get(url("events_backoffice:board", event)).status_code in (403, 404)
    hide = client.post(url("events_backoffice:board", event), {"action": "hide", "post": post.pk})
    assert hide.status_code in (403, 404)
    post.refresh_from_db()
    assert not post.is_hidden


def test_a_resident_cannot_moderate(client, resident):
    event = make_event(board_open=True)
    post = post_on(event)
    client.force_login(resident)
    assert client.post(url("events_backoffice:board", event), {"action": "close"}).status_code in (302, 403)
    event.refresh_from_db()
    post.refresh_from_db()
    assert event.live_board_open and not post.is_hidden


def test_the_board_of_an_unpublished_event_is_a_404_for_the_public(client):
    event = make_event(board_open=True)
    event.published = False
    event.save()
    assert client.get(url("events:board", event)).status_code == 404
    assert client.get(url("events:projection", event)).status_code == 404


def test_a_poll_gets_nothing_new_until_the_board_changes(client):
    event = make_event(board_open=True)
    post = post_on(event)
    version = room.board_version(event)

    assert client.get(url("events:board_posts", event), {"v": version}).status_code == 204
    assert client.get(url("events:projection", event), {"v": version}, HTTP_HX_REQUEST="true").status_code == 204

    room.board_vote_add(post=post, voter_key="session:v")
    changed = client.get(url("events:board_posts", event), {"v": version})
    assert changed.status_code == 200 and "1 vote" in changed.content.decode()
    assert client.get(url("events:projection", event), {"v": version}, HTTP_HX_REQUEST="true").status_code == 200
