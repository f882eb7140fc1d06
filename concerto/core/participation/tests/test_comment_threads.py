"""Replies one level deep, stances, the ledger and the reply notification, as people see them."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Comment, Contribution, Notification
from concerto.core.participation.services import comment_create, moderation_hide

pytestmark = pytest.mark.django_db


def _comment_url(target):
    return f"/participation/commenter/{ContentType.objects.get_for_model(target).pk}/{target.pk}/"


def _main(html: str) -> str:
    return html.split("<main", 1)[1]


def test_a_reply_appears_under_its_comment_and_a_reply_to_a_reply_stays_one_level_deep(
        client, resident, neighbour, post):
    question = comment_create(author=neighbour, target=post, body="Faut-il s'inscrire ?")
    answer = comment_create(author=resident, target=post, body="Non, c'est ouvert à tous.", parent=question)
    follow_up = comment_create(author=neighbour, target=post, body="Merci !", parent=answer)
    assert answer.parent == question
    assert follow_up.parent == question  # attached to the top-level comment, not to the reply
    later = comment_create(author=resident, target=post, body="Un autre sujet.")

    html = _main(client.get(post.get_absolute_url()).content.decode())
    assert "4 commentaires" in html
    replies = html.split('class="compact-list comments__replies"', 1)[1].split("</ul>", 1)[0]
    assert "Non, c&#x27;est ouvert à tous." in replies and "Merci !" in replies
    assert "Un autre sujet." not in replies
    # Top-level comments oldest first, replies under theirs by date.
    assert (html.index("Faut-il") < html.index("ouvert à tous") < html.index("Merci !")
            < html.index("Un autre sujet."))
    assert f'id="commentaire-{later.pk}"' in html


def test_resident_replies_through_the_disclosure_form(client, resident, neighbour, post):
    question = comment_create(author=neighbour, target=post, body="Faut-il s'inscrire ?")
    client.force_login(resident)
    html = client.get(post.get_absolute_url()).content.decode()
    disclosure = html.split('<details class="disclosure comments__reply">', 1)[1].split("</details>", 1)[0]
    assert "Répondre" in disclosure and "au commentaire de Jean Voisin" in disclosure
    assert f'id="id_reply_{question.pk}_body"' in disclosure
    assert f'<label for="id_reply_{question.pk}_body">Votre réponse à Jean Voisin' in disclosure
    assert f'name="parent" value="{question.pk}"' in disclosure
    assert "Publier ma réponse" in disclosure

    response = client.post(_comment_url(post), {"body": "Non, il suffit de venir.", "parent": question.pk})
    reply = Comment.objects.get(parent=question)
    assert response.status_code == 302 and response["Location"].endswith(f"#commentaire-{reply.pk}")
    assert reply.author == resident and reply.stance == ""
    assert "Non, il suffit de venir." in client.get(post.get_absolute_url()).content.decode()


def test_every_reply_form_has_its_own_ids(client, resident, neighbour, post):
    for body in ("Un", "Deux", "Trois"):
        comment_create(author=neighbour, target=post, body=body)
    client.force_login(resident)
    html = client.get(post.get_absolute_url()).content.decode()
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert html.count('<details class="disclosure comments__reply">') == 3


def test_a_reply_must_answer_a_comment_of_the_same_target(resident, neighbour, post, other_post):
    elsewhere = comment_create(author=neighbour, target=other_post, body="Ailleurs")
    with pytest.raises(ValidationError) as error:
        comment_create(author=resident, target=post, body="Réponse égarée", parent=elsewhere)
    assert error.value.message_dict["parent"] == ["Vous ne pouvez répondre qu’à un commentaire de la même page."]
    assert not Comment.objects.filter(body="Réponse égarée").exists()


def test_nobody_replies_to_a_hidden_comment_but_its_replies_stay_visible(
        client, resident, neighbour, moderator, post):
    rude = comment_create(author=neighbour, target=post, body="Propos insultants")
    kept = comment_create(author=resident, target=post, body="Restons courtois.", parent=rude)
    moderation_hide(moderator=moderator, content=rude, reason="Insultes")
    for parent in (rude, kept):  # replying to a reply of a hidden comment answers the hidden one
        with pytest.raises(ValidationError) as error:
            comment_create(author=resident, target=post, body="Et alors ?", parent=parent)
        assert "masqué par la modération" in error.value.message_dict["parent"][0]

    client.force_login(resident)
    html = _main(client.get(post.get_absolute_url()).content.decode())
    assert "Ce commentaire a été masqué par la modération." in html and "Propos insultants" not in html
    assert "Restons courtois." in html
    # No reply form under the hidden comment, and the page refuses a forged one with a French error.
    assert f"id_reply_{rude.pk}_body" not in html
    response = client.post(_comment_url(post), {"body": "Forcé", "parent": rude.pk})
    assert response.status_code == 400
    assert "Ce commentaire a été masqué par la modération\u00a0: vous ne pouvez pas y répondre." in \
        response.content.decode()


def test_bad_replies_get_a_french_error_and_never_a_500(client, resident, neighbour, post, other_post):
    elsewhere = comment_create(author=neighbour, target=other_post, body="Ailleurs")
    client.force_login(resident)
    cases = {
        str(elsewhere.pk): "Vous ne pouvez répondre qu’à un commentaire de la même page.",
        "999999999": "Le commentaire auquel vous répondez n’existe pas.",
        "abc": "Le commentaire auquel vous répondez n’existe pas.",
        "9" * 40: "Le commentaire auquel vous répondez n’existe pas.",
    }
    for parent, message in cases.items():
        response = client.post(_comment_url(post), {"body": "Ma réponse", "parent": parent})
        html = response.content.decode()
        assert response.status_code == 400, parent
        assert message in html and "<h1>Votre réponse</h1>" in html
        assert "Ma réponse" in html  # what was written is not lost
    response = client.post(_comment_url(post), {"body": "   ", "parent": ""})
    assert response.status_code == 400
    assert "Écrivez votre commentaire avant de l’envoyer." in response.content.decode()
    assert Comment.objects.filter(target_id=post.pk).count() == 0


def test_stances_are_offered_only_where_the_model_opts_in(client, resident, post):
    client.force_login(resident)
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'name="stance"' not in html
    response = client.post(_comment_url(post), {"body": "Je suis pour", "stance": "for"})
    assert response.status_code == 400
    assert "Il n’est pas proposé ici de prendre position." in response.content.decode()
    with pytest.raises(ValidationError):
        comment_create(author=resident, target=post, body="Pour", stance="for")
    assert not Comment.objects.exists()


def test_commenter_takes_a_stance_and_the_thread_shows_a_tally_and_badges(
        client, with_stances, resident, neighbour, agent, post):
    comment_create(author=neighbour, target=post, body="Excellente idée.", stance="for")
    comment_create(author=agent, target=post, body="Très bien.", stance="for")
    comment_create(author=neighbour, target=post, body="Trop cher.", stance="against")
    comment_create(author=agent, target=post, body="À voir.", stance="neutral")
    comment_create(author=agent, target=post, body="Sans position.")
    client.force_login(resident)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Positions exprimées\u00a0: <strong>2 pour · 1 contre · 1 neutre</strong>" in html
    assert html.count('<span class="visually-hidden">Position\u00a0: </span>Pour</span>') == 2
    assert '<span class="visually-hidden">Position\u00a0: </span>Contre</span>' in html
    assert "Votre position" in html and 'id="id_comment_stance_0"' in html
    # The reply forms offer no stance.
    assert 'name="stance"' not in html.split('<details class="disclosure comments__reply">', 1)[1] \
        .split("</details>", 1)[0]

    response = client.post(_comment_url(post), {"body": "J'approuve.", "stance": "against"})
    assert response.status_code == 302
    assert Comment.objects.get(body="J'approuve.").stance == "against"
    assert "2 pour · 2 contre · 1 neutre" in client.get(post.get_absolute_url()).content.decode()


def test_hidden_comments_leave_the_tally(client, with_stances, neighbour, moderator, post):
    comment_create(author=neighbour, target=post, body="Pour !", stance="for")
    spam = comment_create(author=neighbour, target=post, body="Contre !!!", stance="against")
    moderation_hide(moderator=moderator, content=spam)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "<strong>1 pour</strong>" in html and "contre</strong>" not in html


def test_bad_stances_get_a_french_error(client, with_stances, resident, neighbour, post):
    question = comment_create(author=neighbour, target=post, body="Question")
    client.force_login(resident)
    response = client.post(_comment_url(post), {"body": "Hmm", "stance": "peut-être"})
    assert response.status_code == 400
    assert "Choisissez pour, contre ou neutre." in response.content.decode()
    response = client.post(_comment_url(post), {"body": "Hmm", "stance": "for", "parent": question.pk})
    assert response.status_code == 400
    assert "Une réponse ne prend pas position\u00a0: seuls les commentaires le font." in response.content.decode()
    with pytest.raises(ValidationError) as error:
        comment_create(author=resident, target=post, body="Hmm", stance="for", parent=question)
    assert list(error.value.message_dict) == ["stance"]
    assert Comment.objects.count() == 1


def test_each_comment_and_reply_is_written_in_the_ledger(resident, neighbour, news, post):
    question = comment_create(author=neighbour, target=post, body="Question")
    answer = comment_create(author=resident, target=post, body="Réponse", parent=question, channel="in_person")
    rows = {row.target_id: row for row in Contribution.objects.filter(kind="participation.comment")}
    assert set(rows) == {question.pk, answer.pk}
    assert rows[answer.pk].component == news and rows[answer.pk].organisation.slug == "sceaux"
    assert rows[answer.pk].author == resident and rows[answer.pk].channel == "in_person"
    assert rows[answer.pk].residence.slug == "sceaux"  # from the resident's profile
    assert rows[question.pk].residence is None
    assert AuditEntry.objects.filter(action="comment.created", data={"parent": question.pk}).exists()


def test_the_author_of_a_comment_is_notified_of_a_reply_but_not_of_their_own(
        resident, neighbour, post, django_capture_on_commit_callbacks):
    from django.core import mail

    question = comment_create(author=neighbour, target=post, body="Faut-il s'inscrire ?")
    with django_capture_on_commit_callbacks(execute=True):
        reply = comment_create(author=resident, target=post, body="Non, venez directement.", parent=question)
    notification = Notification.objects.get(recipient=neighbour)
    assert notification.verb == "comment.replied"
    assert notification.title == "Camille Martin a répondu à votre commentaire sur «\u00a0Premier atelier samedi\u00a0»"
    assert notification.body == "Non, venez directement."
    assert notification.url == f"{post.get_absolute_url()}#commentaire-{reply.pk}"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["voisin@example.org"]

    # Answering the resident's reply (through a service: the page only offers top-level reply forms)
    # notifies the resident; the thread's author is the replier here, so not them.
    comment_create(author=neighbour, target=post, body="Merci, à samedi.", parent=reply)
    assert Notification.objects.filter(recipient=neighbour).count() == 1
    assert Notification.objects.get(recipient=resident).title.startswith("Jean Voisin a répondu")
    comment_create(author=None, target=post, body="Sur papier", parent=question, channel="paper")
    assert Notification.objects.filter(recipient=neighbour).count() == 2
    assert Notification.objects.get(recipient=neighbour, body="Sur papier").title.startswith(
        "Un participant anonyme a répondu")


def test_comment_bodies_stay_plain_text(client, neighbour, post):
    comment_create(author=neighbour, target=post, body='<script>alert("x")</script> <b>gras</b>')
    html = client.get(post.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and "<b>gras</b>" not in html
    assert "&lt;b&gt;gras&lt;/b&gt;" in html


def test_an_outsider_sees_and_changes_nothing_on_a_draft(client, outsider, neighbour, news, agent):
    from concerto.components.news.services import post_create

    draft = post_create(author=agent, component=news, title="Brouillon", body="Pas encore publié.")
    hidden_thread = comment_create(author=neighbour, target=draft, body="Écrit avant le retrait")
    client.force_login(outsider)
    assert client.post(_comment_url(draft), {"body": "Je devine", "parent": hidden_thread.pk}).status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert Comment.objects.filter(target_id=draft.pk).count() == 1


def test_replies_keep_working_for_existing_callers_without_the_new_arguments(resident, space):
    # Spaces, chatbots and older callers pass author, target and body only.
    comment = comment_create(author=resident, target=space, body="Sur l'espace")
    assert comment.parent is None and comment.stance == ""
    row = Contribution.objects.get(kind="participation.comment")
    assert row.component is None and row.organisation == space.organisation
