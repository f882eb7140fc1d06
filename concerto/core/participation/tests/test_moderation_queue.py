"""The moderators' queue: reports of the organisation and below, hide / restore / dismiss; outsiders out."""

import pytest
from django.contrib.contenttypes.models import ContentType

from concerto import testing
from concerto.core.audit.models import AuditEntry
from concerto.core.participation import services
from concerto.core.participation.models import Comment, ModerationReport
from concerto.testing import SpaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported_comment(sceaux, resident):
    # Comments are written through a component; here the service is called directly on a space.
    space = SpaceFactory(organisation=sceaux, slug="plu")
    comment = services.comment_create(author=resident, target=space, body="Tous des incapables !")
    services.moderation_report(reporter=testing.UserFactory(), content=comment, reason="offensive",
                               details="Insulte envers l'équipe")
    return comment


@pytest.fixture
def montreuil_moderator(montreuil):
    return testing.persona("moderation@montreuil.example.org", role="moderator", organisation=montreuil)


def _action(comment, action, org="sceaux"):
    content_type = ContentType.objects.get_for_model(Comment)
    return f"/gestion/{org}/moderation/contenu/{content_type.pk}/{comment.pk}/{action}/"


def test_moderator_sees_the_open_reports_with_the_content(staff_client, moderator, reported_comment):
    html = staff_client(moderator).get("/gestion/sceaux/moderation/").content.decode()
    assert "<h1>Modération</h1>" in html
    assert "Tous des incapables !" in html
    assert "Insulte envers l" in html
    assert "Masquer ce contenu" in html


def test_moderator_hides_then_restores_a_comment(staff_client, moderator, reported_comment):
    client = staff_client(moderator)
    response = client.post(_action(reported_comment, "masquer"), {"reason": "Propos injurieux"})
    assert response.status_code == 302
    reported_comment.refresh_from_db()
    assert reported_comment.is_hidden and reported_comment.hidden_reason == "Propos injurieux"
    assert ModerationReport.objects.get().status == ModerationReport.Status.HIDDEN
    assert "Tous des incapables" not in client.get("/gestion/sceaux/moderation/").content.decode()
    hidden_page = client.get("/gestion/sceaux/moderation/masques/").content.decode()
    assert "Tous des incapables !" in hidden_page and "Propos injurieux" in hidden_page

    client.post(_action(reported_comment, "retablir"))
    reported_comment.refresh_from_db()
    assert not reported_comment.is_hidden
    assert list(AuditEntry.objects.filter(action__startswith="moderation.").order_by("pk")
                .values_list("action", flat=True)) == ["moderation.reported", "moderation.hidden",
                                                      "moderation.restored"]


def test_moderator_dismisses_a_report_and_the_content_stays(staff_client, moderator, reported_comment):
    staff_client(moderator).post(_action(reported_comment, "classer"))
    reported_comment.refresh_from_db()
    assert not reported_comment.is_hidden
    assert ModerationReport.objects.get().status == ModerationReport.Status.DISMISSED


def test_actions_need_a_post(staff_client, moderator, reported_comment):
    assert staff_client(moderator).get(_action(reported_comment, "masquer")).status_code == 405


def test_a_territory_moderator_handles_its_communes(staff_client, reported_comment):
    territory_moderator = testing.persona("moderation@vsgp.example.org", role="moderator",
                                          organisation=testing.commune("sceaux").parent)
    client = staff_client(territory_moderator)
    html = client.get("/gestion/vallee-sud-grand-paris/moderation/").content.decode()
    assert "Tous des incapables !" in html


def test_a_moderator_of_montreuil_cannot_moderate_sceaux_content(staff_client, montreuil_moderator,
                                                                 reported_comment):
    client = staff_client(montreuil_moderator)
    assert client.get("/gestion/sceaux/moderation/").status_code == 403
    assert client.post(_action(reported_comment, "masquer")).status_code == 403
    # Through Montreuil's own queue, Sceaux's comment does not exist.
    assert "Tous des incapables" not in client.get("/gestion/montreuil/moderation/").content.decode()
    assert client.post(_action(reported_comment, "masquer", org="montreuil")).status_code == 404
    assert client.post(_action(reported_comment, "classer", org="montreuil")).status_code == 404
    reported_comment.refresh_from_db()
    assert not reported_comment.is_hidden
    assert ModerationReport.objects.get().status == ModerationReport.Status.OPEN


def test_agents_and_residents_have_no_moderation_queue(staff_client, client, agent, resident,
                                                        reported_comment):
    assert staff_client(agent).get("/gestion/sceaux/moderation/").status_code == 403
    client.force_login(resident)
    assert client.get("/gestion/sceaux/moderation/").status_code in (302, 403)


def test_only_moderated_content_can_be_acted_on(staff_client, moderator, sceaux):
    content_type = ContentType.objects.get_for_model(sceaux)
    url = f"/gestion/sceaux/moderation/contenu/{content_type.pk}/{sceaux.pk}/masquer/"
    assert staff_client(moderator).post(url).status_code == 404


def test_a_long_queue_shows_the_oldest_first_and_says_how_many_wait(staff_client, moderator, sceaux, resident,
                                                                    monkeypatch):
    from concerto.core.participation import backoffice_views

    monkeypatch.setattr(backoffice_views, "QUEUE_LIMIT", 2)
    space = SpaceFactory(organisation=sceaux, slug="plu")
    for n in range(3):
        comment = services.comment_create(author=resident, target=space, body=f"Commentaire signalé {n}")
        services.moderation_report(reporter=testing.UserFactory(), content=comment, reason="offensive")
    html = staff_client(moderator).get("/gestion/sceaux/moderation/").content.decode()
    assert "Commentaire signalé 0" in html and "Commentaire signalé 1" in html
    assert "Commentaire signalé 2" not in html
    assert "Les 2 signalements les plus anciens sont affichés, sur 3 en attente" in html
