"""Comments under a news post, reports, and what moderation changes for the public."""

import pytest
from django.contrib.contenttypes.models import ContentType

from concerto.components.news.models import Post
from concerto.core.participation.models import Comment, ModerationReport
from concerto.core.participation.services import comment_create

pytestmark = pytest.mark.django_db


def _comment_url(post):
    return f"/participation/commenter/{ContentType.objects.get_for_model(Post).pk}/{post.pk}/"


def _report_url(comment):
    return f"/participation/signaler/{ContentType.objects.get_for_model(Comment).pk}/{comment.pk}/"


def test_signed_in_resident_comments_a_post(client, resident, published_post):
    client.force_login(resident)
    html = client.get(published_post.get_absolute_url()).content.decode()
    assert "Publier mon commentaire" in html
    response = client.post(_comment_url(published_post), {"body": "  Je viendrai avec mes voisins.  "})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{published_post.get_absolute_url()}#commentaire-{comment.pk}"
    assert comment.body == "Je viendrai avec mes voisins." and comment.organisation.slug == "sceaux"
    html = client.get(published_post.get_absolute_url()).content.decode()
    assert "Je viendrai avec mes voisins." in html and "Camille Martin" in html


def test_anonymous_visitor_is_invited_to_sign_in_to_comment(client, published_post):
    html = client.get(published_post.get_absolute_url()).content.decode()
    assert "Connectez-vous pour commenter" in html
    response = client.post(_comment_url(published_post), {"body": "Anonyme"})
    assert response.status_code == 302 and "/compte/" in response["Location"]
    assert not Comment.objects.exists()


def test_an_empty_comment_gets_a_french_error(client, resident, published_post):
    client.force_login(resident)
    response = client.post(_comment_url(published_post), {"body": "   "})
    assert response.status_code == 400
    assert "Écrivez votre commentaire avant de l’envoyer." in response.content.decode()


def test_comments_closed_by_the_component_setting(client, resident, news, published_post):
    news.settings = {"comments_enabled": False, "posts_per_page": 10}
    news.save()
    client.force_login(resident)
    html = client.get(published_post.get_absolute_url()).content.decode()
    assert "Publier mon commentaire" not in html and "commentaire" not in html.split("<main")[1].lower()
    assert client.post(_comment_url(published_post), {"body": "Bonjour"}).status_code == 403
    assert not Comment.objects.exists()


def test_comments_closed_in_the_current_step(client, resident, news, step, published_post):
    news.step_settings = {str(step.pk): {"comments_open": False}}
    news.save()
    comment_create(author=resident, target=published_post, body="Écrit avant la fermeture")
    client.force_login(resident)
    html = client.get(published_post.get_absolute_url()).content.decode()
    assert "Écrit avant la fermeture" in html
    assert "Les commentaires sont fermés." in html
    assert client.post(_comment_url(published_post), {"body": "Trop tard"}).status_code == 403


def test_a_draft_cannot_be_commented_even_by_a_guess(client, resident, draft_post):
    client.force_login(resident)
    assert client.post(_comment_url(draft_post), {"body": "Je devine"}).status_code == 404


def test_a_comment_without_author_shows_as_anonymous_participant(client, published_post):
    comment_create(author=None, target=published_post, body="Déposé sur papier en mairie")
    html = client.get(published_post.get_absolute_url()).content.decode()
    assert "Participant anonyme" in html and "Déposé sur papier en mairie" in html


def test_report_hide_and_restore_a_comment(client, staff_client, resident, moderator, published_post):
    comment = comment_create(author=resident, target=published_post, body="Message publicitaire !!!")
    reader = staff_client(moderator)  # any signed-in person may report; the moderator too
    form = reader.get(_report_url(comment))
    assert form.status_code == 200 and "Signaler" in form.content.decode()
    assert reader.post(_report_url(comment), {"details": "x"}).status_code == 400
    response = reader.post(_report_url(comment), {"reason": "spam", "details": "Lien vers un site de vente"})
    assert response.status_code == 302
    report = ModerationReport.objects.get()
    assert report.organisation.slug == "sceaux" and report.reason == "spam"

    queue = reader.get("/gestion/sceaux/moderation/").content.decode()
    assert "Message publicitaire !!!" in queue and "Lien vers un site de vente" in queue
    content_type = ContentType.objects.get_for_model(Comment)
    reader.post(f"/gestion/sceaux/moderation/contenu/{content_type.pk}/{comment.pk}/masquer/",
                {"reason": "Spam"})

    client.logout()
    html = client.get(published_post.get_absolute_url()).content.decode()
    assert "Ce commentaire a été masqué par la modération." in html
    assert "Message publicitaire" not in html
    # A hidden comment cannot be reported again.
    client.force_login(resident)
    assert client.get(_report_url(comment)).status_code == 404

    reader = staff_client(moderator)
    reader.post(f"/gestion/sceaux/moderation/contenu/{content_type.pk}/{comment.pk}/retablir/")
    client.logout()
    assert "Message publicitaire !!!" in client.get(published_post.get_absolute_url()).content.decode()


def test_deleting_a_post_deletes_its_comments(agent, resident, published_post):
    from concerto.components.news.services import post_delete

    comment_create(author=resident, target=published_post, body="Merci")
    post_delete(actor=agent, post=published_post)
    assert not Comment.objects.exists()
