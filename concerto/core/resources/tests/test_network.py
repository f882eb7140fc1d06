"""The network of practice (issue 18): spaces shared as examples, agents' comments on templates and examples, the
Métropole-only forum. Staff only: residents and anonymous visitors neither read nor write there."""

import pytest

from concerto import testing
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Comment, Contribution
from concerto.core.resources import services
from concerto.core.resources.models import NetworkQuestion, SharedExample
from concerto.core.spaces.models import Space
from concerto.testing import SpaceFactory, StepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(sceaux):
    return SpaceFactory(organisation=sceaux, slug="budget-2025", title="Budget participatif 2025 de Sceaux",
                        status=Space.Status.PUBLISHED)


@pytest.fixture
def template(metropole, metropole_admin, budget):
    StepFactory(space=budget, title="Dépôt des idées", position=1)
    return services.template_publish(actor=metropole_admin, organisation=metropole, space=budget,
                                     name="Budget participatif", summary="Des idées au vote.", kind="budget",
                                     audience="everyone")


def _shared(client, space, text="Vote papier en mairie : 40 % des votes. À éviter : un dépôt trop court."):
    return client.post(f"/gestion/sceaux/ressources/exemples/partager/{space.pk}/", {"text": text, "kind": "budget"})


def test_an_agent_shares_a_published_space_it_is_listed_publicly_then_unshares_it(
        client, agent, budget, staff_client):
    staff = staff_client(agent)
    assert f"/gestion/sceaux/ressources/exemples/partager/{budget.pk}/" in staff.get(
        f"/gestion/sceaux/{budget.slug}/").content.decode()
    response = _shared(staff, budget)
    example = SharedExample.objects.get(space=budget)
    assert response.status_code == 302 and response["Location"] == f"/gestion/sceaux/reseau/exemples/{example.pk}/"
    assert AuditEntry.objects.filter(action="resources.example_shared").exists()
    staff.logout()
    public = client.get("/metropole/ressources/").content.decode()
    assert "Exemples des communes" in public and "40 % des votes" in public and budget.get_absolute_url() in public
    staff = staff_client(agent)
    assert staff.post(f"/gestion/sceaux/ressources/exemples/{example.pk}/retirer/").status_code == 302
    staff.logout()
    assert "40 % des votes" not in client.get("/metropole/ressources/").content.decode()


def test_an_unpublished_space_or_another_commune_s_is_refused_in_french(sceaux, agent, outsider, budget,
                                                                          staff_client):
    draft = SpaceFactory(organisation=sceaux, slug="brouillon", status=Space.Status.DRAFT)
    refused = _shared(staff_client(agent), draft)
    assert refused.status_code == 403 and "publiez-le" in refused.content.decode()
    other = staff_client(outsider)
    assert other.post(f"/gestion/montreuil/ressources/exemples/partager/{budget.pk}/",
                      {"text": "Vol", "kind": "budget"}).status_code == 404
    assert other.get(f"/gestion/sceaux/ressources/exemples/partager/{budget.pk}/").status_code == 403
    assert not SharedExample.objects.exists()


def test_bad_input_is_said_in_french_and_nothing_is_saved(agent, budget, staff_client):
    client = staff_client(agent)
    empty = _shared(client, budget, text="   ")
    assert empty.status_code == 400 and "Dites ce qui a marché" in empty.content.decode()
    too_long = _shared(client, budget, text="x" * 3001)
    assert too_long.status_code == 400 and "au plus 3000 caractères" in too_long.content.decode()
    no_title = client.post("/gestion/sceaux/reseau/questions/nouvelle/", {"title": "", "body": "Contexte"})
    assert no_title.status_code == 400 and "Écrivez votre question" in no_title.content.decode()
    long_title = client.post("/gestion/sceaux/reseau/questions/nouvelle/", {"title": "q" * 201})
    assert long_title.status_code == 400 and "au plus 200 caractères" in long_title.content.decode()
    assert not SharedExample.objects.exists() and not NetworkQuestion.objects.exists()
    question = services.network_question_ask(actor=agent, organisation=budget.organisation, title="Quel outil ?")
    blank = client.post(f"/gestion/sceaux/reseau/questions/{question.pk}/", {"body": "  "})
    assert blank.status_code == 400 and "Écrivez votre commentaire" in blank.content.decode()
    assert not Comment.objects.exists()


def test_an_agent_of_another_commune_comments_on_a_template_staff_only(
        client, template, outsider, agent, resident, staff_client):
    other = staff_client(outsider)
    url = f"/gestion/montreuil/reseau/modeles/{template.pk}/"
    assert other.get("/gestion/montreuil/reseau/").status_code == 200
    response = other.post(url, {"body": "Nous l'avons repris à Montreuil : prévoyez le vote papier."})
    comment = Comment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{url}#commentaire-{comment.pk}"
    # An agent's comment is not participation: nothing in the contributions ledger.
    assert not Contribution.objects.exists()
    other.logout()
    # Sceaux's agent reads it from Sceaux's back-office, and replies.
    here = staff_client(agent)
    assert "prévoyez le vote papier" in here.get(f"/gestion/sceaux/reseau/modeles/{template.pk}/").content.decode()
    assert here.post(f"/gestion/sceaux/reseau/modeles/{template.pk}/",
                     {"body": "Merci, c'est noté.", "parent": comment.pk}).status_code == 302
    here.logout()
    # Nowhere public: the template's page, the resource centre, the public comment form.
    for page in (template.get_absolute_url(), "/metropole/ressources/"):
        assert "prévoyez le vote papier" not in client.get(page).content.decode()
    testing.login_with_mfa(client, resident)
    for page in (template.get_absolute_url(), "/metropole/ressources/"):
        assert "prévoyez le vote papier" not in client.get(page).content.decode()
    # Even with a second factor, a resident has no back-office: refused, and nothing read.
    testing.login_with_mfa(client, testing.persona("habitante@example.org", mfa=True))
    refused = client.get(url)
    assert refused.status_code == 403 and "prévoyez le vote papier" not in refused.content.decode()
    assert client.post(url, {"body": "Moi aussi"}).status_code == 403
    content_type = comment.target_type_id
    assert client.post(f"/participation/commenter/{content_type}/{template.pk}/",
                       {"body": "Moi aussi"}).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page
    assert Comment.objects.count() == 2


def test_forum_question_and_answers_across_communes(sceaux, agent, outsider, elected, staff_client):
    asker = staff_client(agent)
    response = asker.post("/gestion/sceaux/reseau/questions/nouvelle/", {
        "title": "Comment toucher les jeunes pour un budget participatif ?",
        "body": "Nous avons eu 3 % de moins de 25 ans."})
    question = NetworkQuestion.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/gestion/sceaux/reseau/questions/{question.pk}/"
    asker.logout()
    other = staff_client(outsider)
    assert "toucher les jeunes" in other.get("/gestion/montreuil/reseau/").content.decode()
    assert other.post(f"/gestion/montreuil/reseau/questions/{question.pk}/",
                      {"body": "Par les lycées et une messagerie."}).status_code == 302
    answer = Comment.objects.get()
    other.logout()
    asker = staff_client(agent)
    assert asker.post(f"/gestion/sceaux/reseau/questions/{question.pk}/",
                      {"body": "Merci : quel taux de réponse ?", "parent": answer.pk}).status_code == 302
    page = asker.get(f"/gestion/sceaux/reseau/questions/{question.pk}/").content.decode()
    assert "Par les lycées" in page and "quel taux de réponse" in page
    # The reply notifies the answer's author, with a link that opens from their own back-office.
    notification = outsider.notifications.get()
    assert notification.url.startswith(f"/gestion/reseau/questions/{question.pk}/")
    asker.logout()
    other = staff_client(outsider)
    assert other.get(notification.url)["Location"] == f"/gestion/montreuil/reseau/questions/{question.pk}/"
    other.logout()
    # An elected official reads the network and writes nothing there.
    reader = staff_client(elected)
    assert "Par les lycées" in reader.get(f"/gestion/sceaux/reseau/questions/{question.pk}/").content.decode()
    assert reader.post(f"/gestion/sceaux/reseau/questions/{question.pk}/", {"body": "Élu"}).status_code == 403
    assert Comment.objects.count() == 2


def test_a_metropole_administrator_hides_a_comment_a_commune_s_moderator_cannot(
        template, outsider, moderator, metropole_admin, staff_client):
    comment = Comment.objects.create(organisation=template.organisation, target=template, author=outsider,
                                     body="Un message hors sujet")
    url = f"/gestion/sceaux/reseau/commentaires/{comment.pk}/masquer/"
    assert staff_client(moderator).post(url).status_code == 403
    comment.refresh_from_db()
    assert not comment.is_hidden
    client = staff_client(metropole_admin)
    page = client.get(f"/gestion/metropole/reseau/modeles/{template.pk}/").content.decode()
    assert f"/gestion/metropole/reseau/commentaires/{comment.pk}/masquer/" in page
    response = client.post(f"/gestion/metropole/reseau/commentaires/{comment.pk}/masquer/")
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden and AuditEntry.objects.filter(action="moderation.hidden").exists()
    page = client.get(f"/gestion/metropole/reseau/modeles/{template.pk}/").content.decode()
    assert "Un message hors sujet" not in page and "masqué par la modération" in page


def test_only_the_metropole_s_administrators_and_moderators_may_hide_network_comments(
        metropole, sceaux, metropole_admin, admin_sceaux, moderator, agent, resident):
    from concerto.core.resources.permissions import MODERATE_NETWORK

    metropole_moderator = testing.persona("moderation@metropole.example.org", role="moderator",
                                          organisation=metropole)
    assert metropole_admin.has_perm(MODERATE_NETWORK, metropole)
    assert metropole_moderator.has_perm(MODERATE_NETWORK, metropole)
    for user in (admin_sceaux, moderator, agent, resident):
        assert not user.has_perm(MODERATE_NETWORK, metropole)
    assert not metropole_admin.has_perm(MODERATE_NETWORK, sceaux)
